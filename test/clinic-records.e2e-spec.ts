import { beforeAll, describe, expect, it } from 'vitest';
import { assign, Body, expectFieldError, expectList, expectProblem, newDoctorAccount, newPatient } from './support/records';
import { TestUser, uniqueName, useTestApp } from './support/test-app';

/**
 * A clinic's records through the HTTP API: who shares a clinic's patients, their assignments and
 * appointments, how a patient comes into a clinic and leaves it, and that nobody outside sees any
 * of it. The whole policy, cell by cell, is in access-policy-clinics.e2e-spec.ts.
 */
describe('clinic records (e2e)', () => {
  const t = useTestApp();
  let admin: TestUser;
  let hour = 0;

  beforeAll(async () => {
    admin = await t.newAdmin();
  });

  /** A distinct future start for every booking, on the hour, inside any schedule-less doctor's day. */
  const nextStart = () => new Date((Math.ceil(Date.now() / 3_600_000) + 48 + ++hour) * 3_600_000).toISOString();

  /** A clinic run by `manager`, with `members` invited in the roles given, each having accepted. */
  async function clinicWith(manager: TestUser, members: [TestUser, string][] = []): Promise<number> {
    const res = await t
      .as(manager)
      .post('/api/clinics/')
      .send({ name: uniqueName('Clinic '), timezone: 'Europe/Berlin' });
    expect(res.status, res.text).toBe(201);
    for (const [user, role] of members) {
      expect((await t.as(manager).post(`/api/clinics/${res.body.id}/members/`).send({ user: user.id, role })).status).toBe(201);
      expect((await t.as(user).post(`/api/clinics/${res.body.id}/membership/accept/`)).status).toBe(200);
    }
    return res.body.id as number;
  }

  const ids = (res: { body: Body[] }) => res.body.map((record) => record.id);
  const book = (by: TestUser, patient: number, doctor: number) =>
    t.as(by).post('/api/appointments/').send({ patient, doctor, appointment_datetime: nextStart() });

  it('runs a clinic day: the front desk shares its patients, the doctors see their own, another clinic sees nothing', async () => {
    const manager = await t.newUser();
    const [deskA, deskB, elsewhere] = [await t.newUser(), await t.newUser(), await t.newUser()];
    const [drA, drB] = [await newDoctorAccount(t), await newDoctorAccount(t)];
    const clinic = await clinicWith(manager, [
      [deskA, 'staff'],
      [deskB, 'staff'],
      [drA.account, 'clinician'],
      [drB.account, 'clinician'],
    ]);
    await clinicWith(await t.newUser(), [[elsewhere, 'staff']]);

    // The front desk registers patients: each desk's one clinic is where they go.
    const p1 = await newPatient(t, deskA, { name: uniqueName('First ') });
    const p2 = await newPatient(t, deskB, { name: uniqueName('Second ') });
    expect([p1.clinic, p2.clinic]).toEqual([clinic, clinic]);

    // Either desk acts on a patient the other registered.
    const mapping = await assign(t, deskB, p1.id, drA.profile.id);
    const a1 = await book(deskB, p1.id, drA.profile.id);
    const a2 = await book(deskA, p2.id, drB.profile.id);
    expect([a1.status, a2.status], a1.text + a2.text).toEqual([201, 201]);
    const moved = await t.as(deskA).patch(`/api/appointments/${a1.body.id}/`).send({ appointment_datetime: nextStart() });
    expect(moved.status, moved.text).toBe(200);
    expect((await t.as(deskA).patch(`/api/patients/${p2.id}/`).send({ address: 'Elm 4' })).status).toBe(200);

    // The manager and both desks list both patients, with ?clinic= too.
    for (const member of [manager, deskA, deskB]) {
      const listed = ids(await t.as(member).get('/api/patients/').query({ page_size: 100 }));
      expect(listed).toEqual(expect.arrayContaining([p1.id, p2.id]));
      expect(ids(await t.as(member).get('/api/patients/').query({ clinic }))).toEqual([p1.id, p2.id]);
      // By time: a1 was moved after a2.
      expect(ids(await t.as(member).get('/api/appointments/').query({ clinic }))).toEqual([a2.body.id, a1.body.id]);
      expect(ids(await t.as(member).get('/api/mappings/').query({ clinic }))).toEqual([mapping.id]);
    }

    // Each doctor sees its own: the assigned patient and its appointments, never to change.
    expect((await t.as(drA.account).get(`/api/patients/${p1.id}/`)).status).toBe(200);
    expectProblem(await t.as(drA.account).patch(`/api/patients/${p1.id}/`).send({ address: 'Oak 1' }), 403);
    expectProblem(await t.as(drA.account).get(`/api/patients/${p2.id}/`), 404);
    expect(ids(await t.as(drA.account).get('/api/appointments/'))).toEqual([a1.body.id]);
    expect(ids(await t.as(drB.account).get('/api/appointments/'))).toEqual([a2.body.id]);
    expect(ids(await t.as(drA.account).get('/api/patients/').query({ assigned: true, clinic }))).toEqual([p1.id]);
    expectProblem(await t.as(drB.account).get(`/api/patients/${p1.id}/`), 404);
    expect((await t.as(drB.account).patch(`/api/appointments/${a2.body.id}/`).send({ status: 'CHECKED_IN' })).status).toBe(200);

    // A member of another clinic sees none of it, and cannot tell it from a missing record.
    for (const path of [`/api/patients/${p1.id}/`, `/api/appointments/${a1.body.id}/`, `/api/mappings/${mapping.id}/`]) {
      expectProblem(await t.as(elsewhere).get(path), 404);
    }
    expectProblem(await t.as(elsewhere).patch(`/api/patients/${p2.id}/`).send({ address: 'Nope' }), 404);
    expectProblem(await book(elsewhere, p1.id, drA.profile.id), 404);
    expectList(await t.as(elsewhere).get('/api/patients/').query({ clinic }), 0);
    expectList(await t.as(elsewhere).get('/api/appointments/').query({ clinic }), 0);
    expectList(await t.as(elsewhere).get('/api/mappings/').query({ clinic }), 0);
    expect(ids(await t.as(elsewhere).get('/api/patients/').query({ page_size: 100 }))).not.toContain(p1.id);

    // An admin sees everything of every clinic.
    expect(ids(await t.as(admin).get('/api/patients/').query({ clinic }))).toEqual([p1.id, p2.id]);
  });

  it('puts a new patient in the one clinic its creator runs patients in, in the one asked for, or none', async () => {
    const [twoClinics, clinician] = [await t.newUser(), (await newDoctorAccount(t)).account];
    const first = await clinicWith(twoClinics, [[clinician, 'clinician']]);
    const second = await clinicWith(twoClinics);
    const unrelated = await clinicWith(await t.newUser());

    // Manager of two clinics: none unless asked.
    expect((await newPatient(t, twoClinics)).clinic).toBeNull();
    expect((await newPatient(t, twoClinics, { clinic: second })).clinic).toBe(second);
    // A clinician does not run patient records: its patients stay personal, and it may not put one in.
    expect((await newPatient(t, clinician)).clinic).toBeNull();
    const refused = await t.as(clinician).post('/api/patients/').send({ name: 'Refused', clinic: first });
    expectFieldError(refused, 'clinic');
    // Another clinic's id answers exactly like an id no clinic has.
    const other = await t.as(twoClinics).post('/api/patients/').send({ name: 'Refused', clinic: unrelated });
    const missing = await t.as(twoClinics).post('/api/patients/').send({ name: 'Refused', clinic: 2_000_000_000 });
    expectFieldError(other, 'clinic');
    expect(other.body.errors).toEqual(missing.body.errors);
    // Admins may put a patient in any clinic that exists.
    expect((await newPatient(t, admin, { clinic: unrelated })).clinic).toBe(unrelated);
    expectFieldError(await t.as(admin).post('/api/patients/').send({ name: 'Refused', clinic: 2_000_000_000 }), 'clinic');
    // Explicitly personal, though its creator runs a clinic.
    const soloManager = await t.newUser();
    const own = await clinicWith(soloManager);
    expect((await newPatient(t, soloManager)).clinic).toBe(own);
    expect((await newPatient(t, soloManager, { clinic: null })).clinic).toBeNull();
  });

  it('moves a patient: in by its owner where it runs patients, out only by the clinic managers', async () => {
    const manager = await t.newUser();
    const [desk, otherDesk] = [await t.newUser(), await t.newUser()];
    const clinic = await clinicWith(manager, [
      [desk, 'staff'],
      [otherDesk, 'staff'],
    ]);
    const elsewhere = await clinicWith(await t.newUser());

    // A personal patient of the desk, moved into the clinic by it: now the clinic's to share.
    const patient = await newPatient(t, desk, { clinic: null });
    expectProblem(await t.as(otherDesk).get(`/api/patients/${patient.id}/`), 404);
    expectFieldError(await t.as(desk).patch(`/api/patients/${patient.id}/`).send({ clinic: elsewhere }), 'clinic');
    const movedIn = await t.as(desk).patch(`/api/patients/${patient.id}/`).send({ clinic });
    expect(movedIn.status, movedIn.text).toBe(200);
    expect(movedIn.body.clinic).toBe(clinic);
    expect((await t.as(otherDesk).get(`/api/patients/${patient.id}/`)).status).toBe(200);

    // Staff may not take it out; the manager may, and it is its creator's personal patient again.
    expectProblem(await t.as(otherDesk).patch(`/api/patients/${patient.id}/`).send({ clinic: null }), 403);
    expectProblem(await t.as(desk).patch(`/api/patients/${patient.id}/`).send({ clinic: null }), 403);
    const movedOut = await t.as(manager).patch(`/api/patients/${patient.id}/`).send({ clinic: null });
    expect(movedOut.status, movedOut.text).toBe(200);
    expect(movedOut.body).toMatchObject({ clinic: null, created_by: desk.id });
    expectProblem(await t.as(otherDesk).get(`/api/patients/${patient.id}/`), 404);
    expectProblem(await t.as(manager).get(`/api/patients/${patient.id}/`), 404);
    expect((await t.as(desk).get(`/api/patients/${patient.id}/`)).status).toBe(200);

    // A clinic's patient is not its creator's: once the creator leaves the clinic, it is gone for it.
    const shared = await newPatient(t, desk);
    expect(shared.clinic).toBe(clinic);
    expect((await t.as(desk).delete(`/api/clinics/${clinic}/members/${desk.id}/`)).status).toBe(204);
    expectProblem(await t.as(desk).get(`/api/patients/${shared.id}/`), 404);
    expect((await t.as(otherDesk).get(`/api/patients/${shared.id}/`)).status).toBe(200);
  });

  it('moves a patient between two clinics for a manager of the first who runs patients in the second', async () => {
    const [manager, otherManager] = [await t.newUser(), await t.newUser()];
    const from = await clinicWith(manager);
    const to = await clinicWith(otherManager, [[manager, 'staff']]);
    const patient = await newPatient(t, manager, { clinic: from });
    const res = await t.as(manager).patch(`/api/patients/${patient.id}/`).send({ clinic: to });
    expect(res.status, res.text).toBe(200);
    expect((await t.as(otherManager).get(`/api/patients/${patient.id}/`)).status).toBe(200);
    // Back again is for the managers of `to`, where `manager` is only staff.
    expectProblem(await t.as(manager).patch(`/api/patients/${patient.id}/`).send({ clinic: from }), 403);
  });
  it("pages a member's list of its own and two clinics' patients in order, with the total of all three", async () => {
    const [manager, otherManager] = [await t.newUser(), await t.newUser()];
    const [first, second] = [await clinicWith(manager), await clinicWith(otherManager, [[manager, 'staff']])];
    // Names interleave across the three parts, so every page draws on more than one of them.
    const made: Body[] = [];
    for (const [n, clinic] of [first, null, second, first, second, null, first].entries())
      made.push(
        await newPatient(t, manager, {
          name: uniqueName(`Pager ${String.fromCharCode(90 - n)} `),
          clinic,
          gender: n % 2 ? 'female' : 'male',
        }),
      );
    const mine = made.map((p) => p.id as number);
    const byName = [...made].sort((a, b) => (a.name as string).localeCompare(b.name as string) || (a.id as number) - (b.id as number));
    const pages = async (query: Record<string, string | number>, total: number) => {
      const listed: unknown[] = [];
      for (let page = 1; page <= Math.ceil(total / 3); page++)
        listed.push(
          ...ids({
            body: expectList(
              await t
                .as(manager)
                .get('/api/patients/')
                .query({ ...query, page, page_size: 3 }),
              total,
            ),
          }),
        );
      return listed;
    };
    expect(await pages({ ordering: '-id' }, 7)).toEqual([...mine].reverse());
    expect(await pages({ ordering: 'name' }, 7)).toEqual(byName.map((p) => p.id));
    const women = made.filter((p) => p.gender === 'female').map((p) => p.id as number);
    expect(await pages({ gender: 'female', search: 'Pager' }, women.length)).toEqual(women);
    // Past the end: no rows, and still the total.
    expectList(await t.as(manager).get('/api/patients/').query({ page: 4, page_size: 3 }), 7);
  });
});
