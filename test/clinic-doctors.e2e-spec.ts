import type { Response } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { book, putSchedule } from './support/appointments';
import { auditEvents, Body, expectFieldError, expectList, expectProblem, newDoctor, newPatient } from './support/records';
import { TestUser, useTestApp } from './support/test-app';

const MISSING = 2_147_483_647;
const MON = 0;
/** Monday 09:00-11:00 in hour slots, in whatever zone the schedule is in. */
const MORNING = { slot_minutes: 60, entries: [{ weekday: MON, start: '09:00', end: '11:00' }] };
// Monday 2030-01-14: 09:00 in Tokyo (+09:00) is 00:00 UTC; in New York (-05:00) 14:00 UTC.
const TOKYO_SLOTS = ['2030-01-14T00:00:00.000Z', '2030-01-14T01:00:00.000Z'];
const NEW_YORK_SLOTS = ['2030-01-14T14:00:00.000Z', '2030-01-14T15:00:00.000Z'];

describe('doctor profiles of a clinic (e2e)', () => {
  // Fixed dates in 2030: past the default booking horizon.
  const t = useTestApp({ BOOKING_HORIZON_DAYS: '3650' });
  let admin: TestUser;
  let stranger: TestUser;

  beforeAll(async () => {
    [admin, stranger] = await Promise.all([t.newAdmin(), t.newUser()]);
  });

  const newClinic = async (manager: TestUser, timezone = 'Europe/Berlin'): Promise<number> => {
    const res = await t.as(manager).post('/api/clinics/').send({ name: 'Harbour Clinic', timezone });
    expect(res.status, res.text).toBe(201);
    return res.body.id;
  };
  /** `user` invited to `clinic` as `role` by its manager, and accepted. */
  const join = async (manager: TestUser, clinic: number, user: TestUser, role: string): Promise<void> => {
    expect((await t.as(manager).post(`/api/clinics/${clinic}/members/`).send({ user: user.id, role })).status).toBe(201);
    expect((await t.as(user).post(`/api/clinics/${clinic}/membership/accept/`)).status).toBe(200);
  };
  const postDoctor = (who: TestUser, fields: Body) =>
    t
      .as(who)
      .post('/api/doctors/')
      .send({ name: 'Dr Refused', specialization: 'Surgery', ...fields });
  const patchDoctor = (who: TestUser, id: number, body: Body) => t.as(who).patch(`/api/doctors/${id}/`).send(body);
  const clinicOf = async (id: number): Promise<number | null> => {
    const res = await t.as(stranger).get(`/api/doctors/${id}/`);
    expect(res.status, res.text).toBe(200);
    return res.body.clinic;
  };
  const expectOk = (res: Response): Body => {
    expect(res.status, res.text).toBe(200);
    return res.body;
  };

  describe('profiles', () => {
    it('a manager creates a profile in its clinic; without `clinic` it belongs to none', async () => {
      const manager = await t.newUser();
      const clinic = await newClinic(manager);
      const doctor = await newDoctor(t, manager, { clinic });
      expect(doctor).toMatchObject({ clinic, created_by: manager.id, user: null });
      expect(await clinicOf(doctor.id)).toBe(clinic);
      const [created] = await auditEvents(t, admin, { entity: 'doctor', entity_id: doctor.id });
      expect(created).toMatchObject({ action: 'create', actor: manager.id });
      expect(created.changed_fields).toContain('clinic');
      const [{ clinic_id }] = await t.db.query(`SELECT clinic_id FROM audit_events WHERE entity = 'doctor' AND entity_id = $1`, [
        doctor.id,
      ]);
      expect(clinic_id).toBe(clinic);

      // Unlike a patient, a profile goes into no clinic unasked, even for the manager of exactly one.
      const personal = await newDoctor(t, manager);
      expect(personal.clinic).toBeNull();
      expect((await newDoctor(t, manager, { clinic: null })).clinic).toBeNull();
    });

    it('staff, clinicians, outsiders and a missing clinic all get the same 400 on `clinic`; admins use any existing clinic', async () => {
      const manager = await t.newUser();
      const [staff, clinician, outsider] = [await t.newUser(), await t.newUser({ role: 'doctor' }), await t.newUser()];
      const clinic = await newClinic(manager);
      await join(manager, clinic, staff, 'staff');
      await join(manager, clinic, clinician, 'clinician');

      const missing = await postDoctor(manager, { clinic: MISSING });
      expectFieldError(missing, 'clinic');
      for (const who of [staff, clinician, outsider]) {
        const res = await postDoctor(who, { clinic });
        expectFieldError(res, 'clinic');
        expect(res.body.errors.clinic).toEqual(missing.body.errors.clinic);
      }
      // Nothing was created, and the clinician account still gets its own first profile linked later.
      expectList(await t.as(stranger).get('/api/doctors/').query({ clinic }), 0);
      expect((await newDoctor(t, clinician)).user).toBe(clinician.id);

      expect((await newDoctor(t, admin, { clinic })).clinic).toBe(clinic);
      expectFieldError(await postDoctor(admin, { clinic: MISSING }), 'clinic');
    });

    it("its managers change a profile of the clinic whoever created it, until they leave; another clinic's manager gets 403", async () => {
      const [manager, comanager, otherManager] = [await t.newUser(), await t.newUser(), await t.newUser()];
      const clinic = await newClinic(manager);
      await join(manager, clinic, comanager, 'manager');
      await newClinic(otherManager);
      const doctor = await newDoctor(t, comanager, { clinic });

      expect(expectOk(await patchDoctor(manager, doctor.id, { hospital: 'Harbour Wing' }))).toMatchObject({
        hospital: 'Harbour Wing',
        clinic,
      });
      expectProblem(await patchDoctor(otherManager, doctor.id, { hospital: 'Taken' }), 403);
      expectProblem(await putSchedule(t, otherManager, doctor.id, { timezone: 'UTC', ...MORNING }), 403);
      expectProblem(await t.as(otherManager).delete(`/api/doctors/${doctor.id}/`), 403);

      expect((await t.as(manager).delete(`/api/clinics/${clinic}/members/${manager.id}/`)).status).toBe(204);
      expectProblem(await patchDoctor(manager, doctor.id, { hospital: 'After Leaving' }), 403);
      expect((await t.as(stranger).get(`/api/doctors/${doctor.id}/`)).body.hospital).toBe('Harbour Wing');
    });

    it('moves out of a clinic for its managers only (403), into one for its managers only (400); audited as `clinic`', async () => {
      const [creator, manager, otherManager] = [await t.newUser(), await t.newUser(), await t.newUser()];
      const [clinic, second] = [await newClinic(manager), await newClinic(manager)];
      const foreign = await newClinic(otherManager);
      const doctor = await newDoctor(t, creator);

      // The creator runs no clinic: it may not put its profile into one.
      const refused = await patchDoctor(creator, doctor.id, { clinic });
      expectFieldError(refused, 'clinic');
      expect(await clinicOf(doctor.id)).toBeNull();
      // A manager may not change someone else's personal profile at all.
      expectProblem(await patchDoctor(manager, doctor.id, { clinic }), 403);

      expect(expectOk(await patchDoctor(admin, doctor.id, { clinic })).clinic).toBe(clinic);
      // Its creator still changes it, but may not take it out of the clinic or elsewhere.
      expect(expectOk(await patchDoctor(creator, doctor.id, { phone: '+1 555 0100' })).phone).toBe('+1 555 0100');
      expectProblem(await patchDoctor(creator, doctor.id, { clinic: null }), 403);
      expectProblem(await patchDoctor(creator, doctor.id, { clinic: second }), 403);

      // A manager of both moves it between them, but not into a clinic it does not run, nor into a missing one.
      expect(expectOk(await patchDoctor(manager, doctor.id, { clinic: second })).clinic).toBe(second);
      const notTheirs = await patchDoctor(manager, doctor.id, { clinic: foreign });
      const missing = await patchDoctor(manager, doctor.id, { clinic: MISSING });
      expectFieldError(notTheirs, 'clinic');
      expectFieldError(missing, 'clinic');
      expect(notTheirs.body.errors.clinic).toEqual(missing.body.errors.clinic);
      expect(await clinicOf(doctor.id)).toBe(second);
      expect(expectOk(await patchDoctor(manager, doctor.id, { clinic: null })).clinic).toBeNull();

      const moves = (await auditEvents(t, admin, { entity: 'doctor', entity_id: doctor.id, action: 'update' }))
        .filter((event) => (event.changed_fields as string[]).includes('clinic'))
        .map((event) => event.actor);
      expect(moves.sort()).toEqual([admin.id, manager.id, manager.id].sort());
    });

    it('a linked account changes its clinic profile but may not take it out of the clinic', async () => {
      const manager = await t.newUser();
      const account = await t.newUser({ role: 'doctor' });
      const clinic = await newClinic(manager);
      const doctor = await newDoctor(t, account);
      expect(doctor.user).toBe(account.id);
      // Not a clinician of the clinic: it may not put its profile there.
      expectFieldError(await patchDoctor(account, doctor.id, { clinic }), 'clinic');
      expect(expectOk(await patchDoctor(admin, doctor.id, { clinic })).clinic).toBe(clinic);
      expect(expectOk(await patchDoctor(account, doctor.id, { hospital: 'Own Practice' })).hospital).toBe('Own Practice');
      expectProblem(await patchDoctor(account, doctor.id, { clinic: null }), 403);
      // The clinic's manager, who did not create it, takes it out.
      expect(expectOk(await patchDoctor(manager, doctor.id, { clinic: null })).clinic).toBeNull();
      expectProblem(await patchDoctor(manager, doctor.id, { hospital: 'Gone' }), 403);
    });

    it("a clinician puts its own linked profile in its clinic, which the clinic's manager could not", async () => {
      const manager = await t.newUser();
      const [account, colleague] = [await t.newUser({ role: 'doctor' }), await t.newUser({ role: 'doctor' })];
      const clinic = await newClinic(manager);
      for (const member of [account, colleague]) {
        expect((await t.as(manager).post(`/api/clinics/${clinic}/members/`).send({ user: member.id, role: 'clinician' })).status).toBe(201);
        expect((await t.as(member).post(`/api/clinics/${clinic}/membership/accept/`)).status).toBe(200);
      }
      const [own, theirs] = [await newDoctor(t, account), await newDoctor(t, colleague)];
      // The manager may not change a linked profile outside its clinic, so it cannot bring it in.
      expectProblem(await patchDoctor(manager, own.id, { clinic }), 403);
      expect(expectOk(await patchDoctor(account, own.id, { clinic })).clinic).toBe(clinic);
      // Another clinician's profile is not its own to place.
      expectProblem(await patchDoctor(account, theirs.id, { clinic }), 403);
      expectFieldError(
        await t.as(account).post('/api/doctors/').send({ name: 'Dr Second', specialization: 'Cardiology', clinic }),
        'clinic',
      );
    });

    it('filters the directory by `?clinic=` for everyone', async () => {
      const [manager, otherManager] = [await t.newUser(), await t.newUser()];
      const [clinic, other] = [await newClinic(manager), await newClinic(otherManager)];
      const mine = [await newDoctor(t, manager, { clinic }), await newDoctor(t, manager, { clinic })];
      await newDoctor(t, otherManager, { clinic: other });
      await newDoctor(t, manager);
      const listed = expectList(await t.as(stranger).get('/api/doctors/').query({ clinic }), 2);
      expect(listed.map((doctor) => doctor.id)).toEqual(mine.map((doctor) => doctor.id));
      expect(listed.every((doctor) => doctor.clinic === clinic)).toBe(true);
      const searched = expectList(
        await t
          .as(stranger)
          .get('/api/doctors/')
          .query({ clinic, search: mine[1].name as string }),
        1,
      );
      expect(searched[0].id).toBe(mine[1].id);
      expectList(await t.as(stranger).get('/api/doctors/').query({ clinic: MISSING }), 0);
      expectFieldError(await t.as(stranger).get('/api/doctors/').query({ clinic: 'abc' }), 'clinic');
    });
  });

  describe("schedules in the clinic's time zone", () => {
    let owner: TestUser;
    let patient: Body & { id: number };

    beforeAll(async () => {
      owner = await t.newUser();
      patient = await newPatient(t, owner);
    });

    const slotStarts = async (doctor: number): Promise<string[]> => {
      const res = await t.as(stranger).get(`/api/doctors/${doctor}/slots/`).query({ date: '2030-01-14' });
      expect(res.status, res.text).toBe(200);
      return (res.body as Body[]).map((slot) => slot.start as string);
    };
    const schedule = async (doctor: number): Promise<Body> => expectOk(await t.as(stranger).get(`/api/doctors/${doctor}/schedule/`));
    const attempt = (doctor: number, at: string) =>
      book(t, owner, { doctor, patient: patient.id, appointment_datetime: at, duration_minutes: 60 });

    /** A profile of a new Tokyo clinic, with MORNING set by its manager naming no time zone. */
    const clinicDoctor = async () => {
      const manager = await t.newUser();
      const clinic = await newClinic(manager, 'Asia/Tokyo');
      const doctor = await newDoctor(t, manager, { clinic });
      const res = await putSchedule(t, manager, doctor.id, MORNING);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ timezone: null, effective_timezone: 'Asia/Tokyo' });
      return { manager, clinic, doctor };
    };

    it("uses the clinic's time zone for a schedule naming none: slots and bookings are judged there", async () => {
      const { doctor } = await clinicDoctor();
      expect(await schedule(doctor.id)).toMatchObject({ timezone: null, effective_timezone: 'Asia/Tokyo' });
      expect(await slotStarts(doctor.id)).toEqual(TOKYO_SLOTS);
      // 09:00 UTC is 18:00 in Tokyo.
      const outside = await attempt(doctor.id, '2030-01-14T09:00:00Z');
      expectFieldError(outside, 'appointment_datetime');
      expect(outside.body.errors.appointment_datetime.join(' ')).toContain('Asia/Tokyo');
      expect((await attempt(doctor.id, '2030-01-14T09:00:00+09:00')).status).toBe(201);
      expect(await slotStarts(doctor.id)).toEqual(TOKYO_SLOTS.slice(1));
    });

    it("moves the openings when the clinic's time zone changes", async () => {
      const { manager, clinic, doctor } = await clinicDoctor();
      expect(expectOk(await t.as(manager).patch(`/api/clinics/${clinic}/`).send({ timezone: 'America/New_York' })).timezone).toBe(
        'America/New_York',
      );
      expect(await schedule(doctor.id)).toMatchObject({ timezone: null, effective_timezone: 'America/New_York' });
      expect(await slotStarts(doctor.id)).toEqual(NEW_YORK_SLOTS);
      expectFieldError(await attempt(doctor.id, '2030-01-14T09:00:00+09:00'), 'appointment_datetime');
      expect((await attempt(doctor.id, '2030-01-14T09:00:00-05:00')).status).toBe(201);
    });

    it('refuses a schedule naming no time zone for a doctor of no clinic (400 on timezone)', async () => {
      const creator = await t.newUser();
      const doctor = await newDoctor(t, creator);
      expectFieldError(await putSchedule(t, creator, doctor.id, MORNING), 'timezone');
      expectFieldError(await putSchedule(t, creator, doctor.id, { ...MORNING, timezone: null }), 'timezone');
      expectProblem(await t.as(creator).get(`/api/doctors/${doctor.id}/schedule/`), 404);
    });

    it("pins the clinic's time zone into the schedule when the profile leaves for none", async () => {
      const { manager, clinic, doctor } = await clinicDoctor();
      const before = await schedule(doctor.id);
      expect(expectOk(await patchDoctor(manager, doctor.id, { clinic: null })).clinic).toBeNull();
      expect(await schedule(doctor.id)).toMatchObject({
        timezone: 'Asia/Tokyo',
        effective_timezone: 'Asia/Tokyo',
        version: (before.version as number) + 1,
      });
      expect(await slotStarts(doctor.id)).toEqual(TOKYO_SLOTS);
      // The clinic's later changes no longer move it.
      expectOk(await t.as(manager).patch(`/api/clinics/${clinic}/`).send({ timezone: 'America/New_York' }));
      expect(await slotStarts(doctor.id)).toEqual(TOKYO_SLOTS);
      const [pinned] = await auditEvents(t, admin, { entity: 'schedule', entity_id: doctor.id, action: 'update' });
      expect(pinned).toMatchObject({ actor: manager.id, changed_fields: ['timezone'] });
    });

    it('leaves a schedule that names its own time zone as it is when the profile leaves', async () => {
      const manager = await t.newUser();
      const clinic = await newClinic(manager, 'Asia/Tokyo');
      const doctor = await newDoctor(t, manager, { clinic });
      const set = await putSchedule(t, manager, doctor.id, { ...MORNING, timezone: 'America/New_York' });
      expect(set.status, set.text).toBe(200);
      expectOk(await patchDoctor(manager, doctor.id, { clinic: null }));
      expect(await schedule(doctor.id)).toMatchObject({ timezone: 'America/New_York', version: set.body.version });
      expect(await slotStarts(doctor.id)).toEqual(NEW_YORK_SLOTS);
    });
  });
});
