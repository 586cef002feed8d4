import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';
import { auditEvents, Body, expectFieldError, expectList, expectProblem, parseLinks } from './support/records';
import { TestUser, uniqueName, useTestApp } from './support/test-app';

describe('clinics (e2e)', () => {
  const t = useTestApp();
  let admin: TestUser;

  beforeAll(async () => {
    admin = await t.newAdmin();
  });

  const newClinic = async (manager: TestUser, fields: Body = {}): Promise<Body & { id: number }> => {
    const res = await t
      .as(manager)
      .post('/api/clinics/')
      .send({ name: 'Riverside Clinic', timezone: 'Europe/Berlin', ...fields });
    expect(res.status, res.text).toBe(201);
    return res.body;
  };
  const invite = (by: TestUser, clinic: number, body: Body) => t.as(by).post(`/api/clinics/${clinic}/members/`).send(body);
  /** A clinic run by `manager`, with `members` invited in the roles given and accepted. */
  const clinicWith = async (manager: TestUser, members: [TestUser, string][] = []): Promise<number> => {
    const { id } = await newClinic(manager);
    for (const [user, role] of members) {
      expect((await invite(manager, id, { user: user.id, role })).status).toBe(201);
      expect((await t.as(user).post(`/api/clinics/${id}/membership/accept/`)).status).toBe(200);
    }
    return id;
  };
  const members = async (who: TestUser, clinic: number): Promise<Body[]> => {
    const res = await t.as(who).get(`/api/clinics/${clinic}/members/`);
    expect(res.status, res.text).toBe(200);
    return res.body;
  };

  it('creates a clinic whose creator is its active manager, in one audited step', async () => {
    const owner = await t.newUser();
    const res = await t
      .as(owner)
      .post('/api/clinics/')
      .send({ name: '  Hill Clinic ', timezone: 'Asia/Kolkata', address: '2 Hill Road', phone: '+91 22 5555 0100' });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Hill Clinic',
      timezone: 'Asia/Kolkata',
      address: '2 Hill Road',
      created_by: owner.id,
      version: 1,
    });
    expect(res.headers.etag).toBe('"1"');
    expect(res.headers.location).toBe(`/api/clinics/${res.body.id}/`);
    expect(await members(owner, res.body.id)).toEqual([
      expect.objectContaining({ user: owner.id, username: owner.username, role: 'manager', status: 'active', invited_by: null }),
    ]);
    const events = await auditEvents(t, admin, { entity: 'clinic', entity_id: res.body.id });
    expect(events.map((event) => event.action)).toEqual(['create']);
  });

  it('refuses an unknown time zone, a missing name and a bad phone', async () => {
    const owner = await t.newUser();
    const post = (body: Body) => t.as(owner).post('/api/clinics/').send(body);
    expectFieldError(await post({ name: 'X', timezone: 'Mars/Olympus_Mons' }), 'timezone');
    expectFieldError(await post({ name: 'X', timezone: '+01:00' }), 'timezone');
    expectFieldError(await post({ timezone: 'UTC' }), 'name');
    expectFieldError(await post({ name: 'X', timezone: 'UTC', phone: 'call me' }), 'phone');
  });

  it("lists the caller's clinics (active memberships only); admins list all", async () => {
    const [a, b] = [await t.newUser(), await t.newUser()];
    const mine = await clinicWith(a);
    const theirs = await clinicWith(b);
    expect((await invite(b, theirs, { user: a.id, role: 'staff' })).status).toBe(201);
    // Invited, not yet a member: not listed.
    expect(expectList(await t.as(a).get('/api/clinics/'), 1).map((clinic) => clinic.id)).toEqual([mine]);
    await t.as(a).post(`/api/clinics/${theirs}/membership/accept/`);
    expect(expectList(await t.as(a).get('/api/clinics/'), 2).map((clinic) => clinic.id)).toEqual([mine, theirs]);
    const all = await t.as(admin).get('/api/clinics/').query({ page_size: 100 });
    expect(all.status).toBe(200);
    expect(Number(all.headers['x-total-count'])).toBeGreaterThanOrEqual(2);
    expect((await t.as(admin).get(`/api/clinics/${mine}/`)).status).toBe(200);
  });

  it('invites an existing account by id, email or username; unknown accounts are 400, members 409', async () => {
    const manager = await t.newUser();
    const [byId, byEmail, byName] = [await t.newUser(), await t.newUser({ role: 'doctor' }), await t.newUser()];
    const clinic = await clinicWith(manager);
    const one = await invite(manager, clinic, { user: byId.id, role: 'staff' });
    expect(one.status, one.text).toBe(201);
    expect(one.body).toMatchObject({ clinic, user: byId.id, role: 'staff', status: 'invited', invited_by: manager.id });
    expect((await invite(manager, clinic, { email: byEmail.email.toUpperCase(), role: 'clinician' })).body).toMatchObject({
      user: byEmail.id,
    });
    expect((await invite(manager, clinic, { username: byName.username, role: 'manager' })).body).toMatchObject({ user: byName.id });

    expectFieldError(await invite(manager, clinic, { user: 2_000_000_000, role: 'staff' }), 'user');
    expectFieldError(await invite(manager, clinic, { email: 'nobody@nowhere.example', role: 'staff' }), 'email');
    expectFieldError(await invite(manager, clinic, { username: 'no-such-account-xyz', role: 'staff' }), 'username');
    expectFieldError(await invite(manager, clinic, { role: 'staff' }), 'user');
    expectFieldError(await invite(manager, clinic, { user: byId.id, role: 'owner' }), 'role');
    expectProblem(await invite(manager, clinic, { user: byId.id, role: 'staff' }), 409);
    expectProblem(await invite(manager, clinic, { user: manager.id, role: 'staff' }), 409);
    expect((await members(manager, clinic)).map((member) => [member.user, member.status])).toEqual([
      [manager.id, 'active'],
      [byId.id, 'invited'],
      [byEmail.id, 'invited'],
      [byName.id, 'invited'],
    ]);
  });

  it('an invited account sees nothing until it accepts; declining deletes the invitation', async () => {
    const manager = await t.newUser();
    const [joins, declines] = [await t.newUser(), await t.newUser({ role: 'doctor' })];
    const clinic = await clinicWith(manager);
    await invite(manager, clinic, { user: joins.id, role: 'staff' });
    await invite(manager, clinic, { user: declines.id, role: 'staff' });
    expectProblem(await t.as(joins).get(`/api/clinics/${clinic}/`), 404);
    expectProblem(await t.as(joins).get(`/api/clinics/${clinic}/members/`), 404);

    const accepted = await t.as(joins).post(`/api/clinics/${clinic}/membership/accept/`);
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.body).toMatchObject({ user: joins.id, status: 'active', role: 'staff' });
    expect((await t.as(joins).get(`/api/clinics/${clinic}/`)).status).toBe(200);
    // Nothing left to accept or decline.
    expectProblem(await t.as(joins).post(`/api/clinics/${clinic}/membership/accept/`), 404);
    expectProblem(await t.as(joins).post(`/api/clinics/${clinic}/membership/decline/`), 404);

    expect((await t.as(declines).post(`/api/clinics/${clinic}/membership/decline/`)).status).toBe(204);
    expect((await members(manager, clinic)).map((member) => member.user)).toEqual([manager.id, joins.id]);
    expectProblem(await t.as(declines).get(`/api/clinics/${clinic}/`), 404);
    // Declined: it may be invited again.
    expect((await invite(manager, clinic, { user: declines.id, role: 'clinician' })).status).toBe(201);
    const actions = (await auditEvents(t, admin, { entity: 'clinic_member' }))
      .filter((event) => [joins.id, declines.id].includes(event.actor as number))
      .map((event) => event.action);
    expect(actions.sort()).toEqual(['accept', 'decline']);
  });

  const invitations = (who: TestUser, query: Body = {}) => t.as(who).get('/api/clinics/invitations/').query(query);

  it("lists an invited account's pending invitations with each clinic's name; accepted or declined, they are gone", async () => {
    const manager = await t.newUser();
    const invited = await t.newUser({ role: 'doctor' });
    const [hill, lake] = [await newClinic(manager, { name: uniqueName('Hill ') }), await newClinic(manager, { name: uniqueName('Lake ') })];
    expect((await invite(manager, hill.id, { user: invited.id, role: 'staff' })).status).toBe(201);
    expect((await invite(manager, lake.id, { email: invited.email, role: 'clinician' })).status).toBe(201);
    // The clinic itself stays a 404 to the invited account; its invitation names it.
    expectProblem(await t.as(invited).get(`/api/clinics/${hill.id}/`), 404);

    const listed = expectList(await invitations(invited), 2);
    const since = (await members(manager, hill.id)).find((member) => member.user === invited.id)!.created_at;
    expect(listed).toEqual([
      { clinic: hill.id, clinic_name: hill.name, role: 'staff', invited_by: manager.id, invited_at: since },
      { clinic: lake.id, clinic_name: lake.name, role: 'clinician', invited_by: manager.id, invited_at: expect.any(String) },
    ]);
    // Paged like every list.
    const first = await invitations(invited, { page_size: 1 });
    expect(expectList(first, 2).map((invitation) => invitation.clinic)).toEqual([hill.id]);
    const links = parseLinks(first.headers.link);
    expect(links.next).toMatchObject({ path: '/api/clinics/invitations/', page: 2, pageSize: 1 });
    expect(links.last.page).toBe(2);

    expect((await t.as(invited).post(`/api/clinics/${hill.id}/membership/accept/`)).status).toBe(200);
    expect(expectList(await invitations(invited), 1).map((invitation) => invitation.clinic)).toEqual([lake.id]);
    expect((await t.as(invited).post(`/api/clinics/${lake.id}/membership/decline/`)).status).toBe(204);
    expect(expectList(await invitations(invited), 0)).toEqual([]);
  });

  it("lists nobody else's invitations, not even to a clinic's manager or an admin, and no entry for an active membership", async () => {
    const [manager, staff, invited, stranger] = [await t.newUser(), await t.newUser(), await t.newUser(), await t.newUser()];
    const clinic = await clinicWith(manager, [[staff, 'staff']]);
    expect((await invite(manager, clinic, { user: invited.id, role: 'staff' })).status).toBe(201);
    expect(expectList(await invitations(invited), 1)).toEqual([expect.objectContaining({ clinic, role: 'staff' })]);
    // The manager who invited it, a member who accepted, an account in no clinic, an admin: none sees it.
    for (const who of [manager, staff, stranger, admin]) {
      const theirs = expectList(await invitations(who, { page_size: 100 }), 0);
      expect(theirs, who.username).toEqual([]);
    }
  });

  it('managers change roles; staff and clinicians get 403 on manager actions', async () => {
    const manager = await t.newUser();
    const [staff, clinician, outsider] = [await t.newUser(), await t.newUser({ role: 'doctor' }), await t.newUser()];
    const clinic = await clinicWith(manager, [
      [staff, 'staff'],
      [clinician, 'clinician'],
    ]);
    for (const member of [staff, clinician]) {
      expectProblem(await t.as(member).patch(`/api/clinics/${clinic}/`).send({ name: 'Taken Over' }), 403);
      expectProblem(await invite(member, clinic, { user: outsider.id, role: 'staff' }), 403);
      expectProblem(await t.as(member).patch(`/api/clinics/${clinic}/members/${manager.id}/`).send({ role: 'staff' }), 403);
      expectProblem(await t.as(member).delete(`/api/clinics/${clinic}/members/${manager.id}/`), 403);
      // But they read the clinic and its members.
      expect((await t.as(member).get(`/api/clinics/${clinic}/`)).status).toBe(200);
      expect(await members(member, clinic)).toHaveLength(3);
    }
    const promoted = await t.as(manager).patch(`/api/clinics/${clinic}/members/${staff.id}/`).send({ role: 'manager' });
    expect(promoted.status, promoted.text).toBe(200);
    expect(promoted.body).toMatchObject({ user: staff.id, role: 'manager' });
    expect((await invite(staff, clinic, { user: outsider.id, role: 'staff' })).status).toBe(201);
    expectProblem(
      await t
        .as(manager)
        .patch(`/api/clinics/${clinic}/members/${outsider.id + 1_000_000}/`)
        .send({ role: 'staff' }),
      404,
    );
    expectFieldError(await t.as(manager).patch(`/api/clinics/${clinic}/members/${staff.id}/`).send({ role: 'boss' }), 'role');
  });

  it('managers remove members; a member may leave; the last manager may neither leave nor be demoted (409)', async () => {
    const manager = await t.newUser();
    const [staff, clinician] = [await t.newUser(), await t.newUser({ role: 'doctor' })];
    const clinic = await clinicWith(manager, [
      [staff, 'staff'],
      [clinician, 'clinician'],
    ]);
    expect((await t.as(clinician).delete(`/api/clinics/${clinic}/members/${clinician.id}/`)).status).toBe(204);
    expectProblem(await t.as(clinician).get(`/api/clinics/${clinic}/`), 404);
    expect((await t.as(manager).delete(`/api/clinics/${clinic}/members/${staff.id}/`)).status).toBe(204);
    expectProblem(await t.as(staff).get(`/api/clinics/${clinic}/`), 404);

    expectProblem(await t.as(manager).delete(`/api/clinics/${clinic}/members/${manager.id}/`), 409);
    expectProblem(await t.as(manager).patch(`/api/clinics/${clinic}/members/${manager.id}/`).send({ role: 'staff' }), 409);
    expectProblem(await t.as(admin).patch(`/api/clinics/${clinic}/members/${manager.id}/`).send({ role: 'staff' }), 409);
    expect(await members(manager, clinic)).toEqual([expect.objectContaining({ user: manager.id, role: 'manager', status: 'active' })]);
  });

  it('of two concurrent demotions of the two managers, exactly one succeeds', async () => {
    for (let round = 0; round < 3; round++) {
      const [first, second] = [await t.newUser(), await t.newUser()];
      const clinic = await clinicWith(first, [[second, 'manager']]);
      const results = await Promise.all(
        [first, second].map((who) => t.as(admin).patch(`/api/clinics/${clinic}/members/${who.id}/`).send({ role: 'staff' })),
      );
      expect(results.map((res) => res.status).sort()).toEqual([200, 409]);
      const managers = (await members(admin, clinic)).filter((member) => member.role === 'manager');
      expect(managers).toHaveLength(1);
    }
  });

  it('changes a clinic with If-Match: a stale version is 412', async () => {
    const manager = await t.newUser();
    const { id } = await newClinic(manager);
    const changed = await t.as(manager).patch(`/api/clinics/${id}/`).set('If-Match', '"1"').send({ address: '3 New Street', phone: null });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ address: '3 New Street', phone: null, version: 2 });
    expect(changed.headers.etag).toBe('"2"');
    expectProblem(await t.as(manager).patch(`/api/clinics/${id}/`).set('If-Match', '"1"').send({ name: 'Stale' }), 412);
    expectFieldError(await t.as(manager).patch(`/api/clinics/${id}/`).send({ timezone: 'Nowhere/Land' }), 'timezone');
    expectFieldError(await t.as(manager).patch(`/api/clinics/${id}/`).send({ name: null }), 'name');
    expect((await t.as(manager).get(`/api/clinics/${id}/`)).body).toMatchObject({ name: 'Riverside Clinic', version: 2 });
  });

  it("a member's search finds its personal patients and each of its clinics', once each, and no one else's", async () => {
    const [first, second, third, staff, stranger] = [
      await t.newUser(),
      await t.newUser(),
      await t.newUser(),
      await t.newUser(),
      await t.newUser(),
    ];
    const [c1, c2] = [await clinicWith(first, [[staff, 'staff']]), await clinicWith(second, [[staff, 'staff']])];
    const c3 = await clinicWith(third);
    const name = uniqueName('Qwz ');
    const add = async (by: TestUser, clinic: number | null) => {
      const res = await t
        .as(by)
        .post('/api/patients/')
        .send({ name: `${name} ${by.id}`, clinic });
      expect(res.status, res.text).toBe(201);
      return res.body.id as number;
    };
    const personal = await add(staff, null);
    const madeByStaff = await add(staff, c1);
    const ofFirst = await add(first, c1);
    const ofSecond = await add(second, c2);
    await add(third, c3);
    await add(stranger, null);
    await add(first, null);
    const search = (query: string) => t.as(staff).get(`/api/patients/?search=${encodeURIComponent(name)}${query}`);
    const ids = (res: import('supertest').Response, total: number) => expectList(res, total).map((patient) => patient.id);
    expect(ids(await search(''), 4)).toEqual([personal, madeByStaff, ofFirst, ofSecond]);
    expect(ids(await search(`&clinic=${c2}`), 1)).toEqual([ofSecond]);
    expect(ids(await search(`&clinic=${c3}`), 0)).toEqual([]);
  });

  it('answers 404 to a non-member on every clinic route, exactly as for a missing clinic', async () => {
    const [manager, stranger] = [await t.newUser(), await t.newUser()];
    const clinic = await clinicWith(manager);
    const missing = 2_147_483_647;
    const routes = (id: number): [string, string, Body | undefined][] => [
      ['get', `/api/clinics/${id}/`, undefined],
      ['patch', `/api/clinics/${id}/`, { name: 'Taken Over' }],
      ['get', `/api/clinics/${id}/members/`, undefined],
      ['post', `/api/clinics/${id}/members/`, { user: stranger.id, role: 'manager' }],
      ['post', `/api/clinics/${id}/membership/accept/`, undefined],
      ['post', `/api/clinics/${id}/membership/decline/`, undefined],
      ['patch', `/api/clinics/${id}/members/${manager.id}/`, { role: 'staff' }],
      ['delete', `/api/clinics/${id}/members/${manager.id}/`, undefined],
      ['delete', `/api/clinics/${id}/members/${stranger.id}/`, undefined],
    ];
    const send = (method: string, path: string, body?: Body) => {
      const req = (t.as(stranger) as unknown as Record<string, (path: string) => { send(body: Body): Promise<unknown> }>)[method](path);
      return (body === undefined ? req : req.send(body)) as Promise<import('supertest').Response>;
    };
    const real = routes(clinic);
    const absent = routes(missing);
    for (let i = 0; i < real.length; i++) {
      const res = await send(...real[i]);
      const gone = await send(...absent[i]);
      expectProblem(res, 404);
      expect(res.body.detail, real[i][1]).toBe(gone.body.detail);
    }
    expect(expectList(await t.as(stranger).get('/api/clinics/'), 0)).toEqual([]);
    expect(await members(manager, clinic)).toHaveLength(1);
  });
});

describe('clinic invitations by mail (e2e)', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  const t = useTestApp(() => ({ SMTP_URL: smtp.url, MAIL_RETRY_BASE_MS: '20' }));
  afterAll(() => smtp?.close());

  it('mails the invited account how to accept or decline', async () => {
    const [manager, invited] = [await t.newUser(), await t.newUser({ role: 'doctor' })];
    const clinic = await t.as(manager).post('/api/clinics/').send({ name: 'Mail Clinic', timezone: 'UTC' });
    expect(clinic.status).toBe(201);
    expect((await t.as(manager).post(`/api/clinics/${clinic.body.id}/members/`).send({ user: invited.id, role: 'clinician' })).status).toBe(
      201,
    );
    const mail = await smtp.waitForMail(invited.email, /invited to join Mail Clinic/);
    expect(mail.text).toContain('as clinician');
    expect(mail.text).toContain(`/api/clinics/${clinic.body.id}/membership/accept/`);
  });
});
