import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditService } from '../src/audit/audit.service';
import { createOrPromoteAdmin } from '../src/users/create-admin';
import { openTestDatabase, TestDatabase } from './support/database';
import { startOwnApp, type OwnApp } from './support/instances';
import { type Answer, ServiceProcess } from './support/service-process';
import { TEST_PASSWORD, uniqueName } from './support/test-app';

interface AuditRow {
  actor_id: number | null;
  action: string;
  entity: string;
  entity_id: number | null;
  changed_fields: string[];
  outcome: string;
}

describe('the audit trail when the service dies right after a write (e2e)', () => {
  let database: TestDatabase;
  let db: DataSource;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    database = await openTestDatabase();
    db = database.db;
  });
  afterAll(async () => {
    await service?.stop('SIGKILL');
    await database?.close();
  });

  const entryOf = async (answer: Answer): Promise<AuditRow[]> =>
    db.query<AuditRow[]>('SELECT actor_id, action, entity, entity_id, changed_fields, outcome FROM audit_events WHERE request_id = $1', [
      answer.requestId,
    ]);

  it('keeps the entry of every kind of write killed (SIGKILL) right after its 2xx answer', async () => {
    const admin = { username: uniqueName('admin'), password: TEST_PASSWORD };
    const { user: adminAccount } = await createOrPromoteAdmin(db, { ...admin, email: `${admin.username}@clinic.example` });
    const register = (role: string) => {
      const username = uniqueName(role);
      return { username, email: `${username}@clinic.example`, password: TEST_PASSWORD, role };
    };
    const crashes: { what: string; entries: AuditRow[]; expected: Partial<AuditRow> | Partial<AuditRow>[] }[] = [];
    /** One run of the service: `write` sends what it needs, then the write the service dies right after (and its entry or entries). */
    const crashAfter = async <T>(
      what: string,
      write: (s: ServiceProcess) => Promise<{ answer: Answer; expected: Partial<AuditRow> | Partial<AuditRow>[] } & T>,
    ) => {
      service = await ServiceProcess.start(database.url);
      const result = await write(service);
      crashes.push({ what, entries: await entryOf(result.answer), expected: result.expected });
      return result;
    };

    const { owner, adminToken, doctorAccount } = await crashAfter('registration', async (s) => {
      const login = await s.send('POST', '/api/auth/login/', { body: admin });
      expect(login.status).toBe(200);
      const doctorAccount = await s.send('POST', '/api/auth/register/', { body: register('doctor') });
      expect(doctorAccount.status).toBe(201);
      const answer = await s.sendAndCrash('POST', '/api/auth/register/', { body: register('patient') });
      const owner = { id: answer.body.user.id as number, token: answer.body.tokens.access as string };
      return {
        answer,
        owner,
        adminToken: login.body.access as string,
        doctorAccount: doctorAccount.body.user.id as number,
        expected: { action: 'create', entity: 'user', entity_id: owner.id, actor_id: owner.id },
      };
    });
    const token = owner.token;
    const { patient } = await crashAfter('patient creation', async (s) => {
      const answer = await s.sendAndCrash('POST', '/api/patients/', { token, body: { name: 'Crash Test', phone: '555 0100' } });
      const patient = answer.body.id as number;
      return { answer, patient, expected: { action: 'create', entity: 'patient', entity_id: patient, changed_fields: ['name', 'phone'] } };
    });
    await crashAfter('patient update', async (s) => ({
      answer: await s.sendAndCrash('PATCH', `/api/patients/${patient}/`, { token, body: { address: 'Elm Street' } }),
      expected: { action: 'update', entity: 'patient', entity_id: patient, changed_fields: ['address'] },
    }));
    const { doctor, mapping } = await crashAfter('assignment', async (s) => {
      const created = await s.send('POST', '/api/doctors/', { token, body: { name: 'Dr. Crash', specialization: 'Cardiology' } });
      expect(created.status).toBe(201);
      const answer = await s.sendAndCrash('POST', '/api/mappings/', { token, body: { patient, doctor: created.body.id } });
      const mapping = answer.body.id as number;
      return { answer, doctor: created.body.id as number, mapping, expected: { action: 'assign', entity: 'mapping', entity_id: mapping } };
    });
    await crashAfter('end of an assignment', async (s) => ({
      answer: await s.sendAndCrash('DELETE', `/api/mappings/${mapping}/`, { token }),
      expected: { action: 'unassign', entity: 'mapping', entity_id: mapping },
    }));
    const start = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 2 * 86_400_000).toISOString();
    const { appointment } = await crashAfter('booking', async (s) => {
      const answer = await s.sendAndCrash('POST', '/api/appointments/', { token, body: { patient, doctor, appointment_datetime: start } });
      const appointment = answer.body.id as number;
      return { answer, appointment, expected: { action: 'create', entity: 'appointment', entity_id: appointment } };
    });
    await crashAfter('appointment update', async (s) => ({
      answer: await s.sendAndCrash('PATCH', `/api/appointments/${appointment}/`, { token, body: { duration_minutes: 45 } }),
      expected: { action: 'update', entity: 'appointment', entity_id: appointment, changed_fields: ['duration_minutes'] },
    }));
    await crashAfter('cancellation', async (s) => ({
      answer: await s.sendAndCrash('DELETE', `/api/appointments/${appointment}/`, { token }),
      expected: { action: 'cancel', entity: 'appointment', entity_id: appointment, changed_fields: ['status'] },
    }));
    await crashAfter('schedule', async (s) => ({
      answer: await s.sendAndCrash('PUT', `/api/doctors/${doctor}/schedule/`, {
        token,
        body: { timezone: 'Europe/Berlin', slot_minutes: 30, entries: [{ weekday: 0, start: '09:00', end: '12:00' }] },
      }),
      expected: { action: 'create', entity: 'schedule', entity_id: doctor, changed_fields: ['timezone', 'slot_minutes', 'entries'] },
    }));
    await crashAfter('doctor link', async (s) => ({
      answer: await s.sendAndCrash('PATCH', `/api/doctors/${doctor}/`, { token: adminToken, body: { user: doctorAccount } }),
      expected: [
        { action: 'update', entity: 'doctor', entity_id: doctor, actor_id: adminAccount.id, changed_fields: ['user'] },
        {
          action: 'link',
          entity: 'doctor',
          entity_id: doctor,
          actor_id: adminAccount.id,
          changed_fields: ['user', 'old_user:none', `new_user:${doctorAccount}`],
        },
      ],
    }));
    await crashAfter('deletion of a linked doctor, ending its assignment and cancelling its appointment', async (s) => {
      const assigned = await s.send('POST', '/api/mappings/', { token, body: { patient, doctor } });
      expect(assigned.status).toBe(201);
      // Within the schedule set above (Mondays 09:00-12:00 in Berlin): 09:00 UTC is 10:00 or 11:00 there.
      const monday = new Date(Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 9 * 3_600_000);
      while (monday.getUTCDay() !== 1) monday.setUTCDate(monday.getUTCDate() + 1);
      const booked = await s.send('POST', '/api/appointments/', {
        token,
        body: { patient, doctor, appointment_datetime: monday.toISOString() },
      });
      expect(booked.status).toBe(201);
      const actor_id = adminAccount.id;
      const consequences = [
        { action: 'unassign', entity: 'mapping', entity_id: assigned.body.id as number, actor_id },
        { action: 'cancel', entity: 'appointment', entity_id: booked.body.id as number, actor_id, changed_fields: ['status'] },
      ];
      return {
        answer: await s.sendAndCrash('DELETE', `/api/doctors/${doctor}/`, { token: adminToken }),
        expected: [
          { action: 'delete', entity: 'doctor', entity_id: doctor, actor_id, changed_fields: [] },
          {
            action: 'unlink',
            entity: 'doctor',
            entity_id: doctor,
            actor_id,
            changed_fields: ['user', `old_user:${doctorAccount}`, 'new_user:none'],
          },
          ...consequences,
        ],
      };
    });
    await crashAfter('patient deletion', async (s) => ({
      answer: await s.sendAndCrash('DELETE', `/api/patients/${patient}/`, { token }),
      expected: { action: 'delete', entity: 'patient', entity_id: patient },
    }));
    await crashAfter('account change', async (s) => ({
      answer: await s.sendAndCrash('PATCH', `/api/users/${owner.id}/`, { token: adminToken, body: { is_active: false } }),
      expected: { action: 'update', entity: 'user', entity_id: owner.id, actor_id: adminAccount.id, changed_fields: ['is_active'] },
    }));

    // Each write was kept (the next run builds on it, the last is checked below), and so was its entry.
    // Entries of one request in a stable order: what a delete ends has no order of its own.
    const byRecord = <E extends Partial<AuditRow>>(entries: E[]) =>
      [...entries].sort((a, b) => `${a.entity}:${a.entity_id}:${a.action}`.localeCompare(`${b.entity}:${b.entity_id}:${b.action}`));
    for (const { what, entries, expected } of crashes) {
      expect
        .soft(byRecord(entries), what)
        .toEqual(byRecord([expected].flat()).map((entry) => expect.objectContaining({ outcome: 'success', ...entry })));
    }
    const [{ users }] = await db.query<{ users: number }[]>('SELECT count(*)::int AS users FROM users WHERE id = $1 AND NOT is_active', [
      owner.id,
    ]);
    expect(users).toBe(1);
  }, 300_000);

  it('writes the batched entries (reads, logins) before it stops on SIGTERM', async () => {
    service = await ServiceProcess.start(database.url);
    const account = await service.send('POST', '/api/auth/register/', {
      body: { username: uniqueName(), email: `${uniqueName()}@clinic.example`, password: TEST_PASSWORD },
    });
    expect(account.status).toBe(201);
    const token = account.body.tokens.access as string;
    const created = await service.send('POST', '/api/patients/', { token, body: { name: 'Read Before Stop' } });
    expect(created.status).toBe(201);
    const login = await service.send('POST', '/api/auth/login/', {
      body: { username: account.body.user.username, password: 'wrong-password-1' },
    });
    expect(login.status).toBe(401);
    const read = await service.send('GET', `/api/patients/${created.body.id}/`, { token });
    expect(read.status).toBe(200);
    // At once, well within the ~50 ms the batch waits.
    await service.stop('SIGTERM');
    expect(service.child.exitCode, service.log).toBe(0);
    expect(await entryOf(read)).toEqual([expect.objectContaining({ action: 'read', entity: 'patient', entity_id: created.body.id })]);
    expect(await entryOf(login)).toEqual([expect.objectContaining({ action: 'login', outcome: 'failure' })]);
  }, 120_000);
});

/**
 * A change whose entry cannot be written must not happen. The database refuses the entries of
 * marked requests (a trigger on this test's own database), so the INSERT really fails.
 */
describe('a write whose audit entry cannot be written (e2e)', () => {
  let app: OwnApp;
  const REFUSED = 'refuse-audit';

  /** Has PostgreSQL refuse the audit entries that match `condition` (SQL over NEW); resolves to the undo. */
  const refuseAuditEntries = async (name: string, condition: string): Promise<() => Promise<unknown>> => {
    await app.db.query(`
      CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF ${condition} THEN RAISE EXCEPTION 'audit entry refused for the test'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER ${name} BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION ${name}();
    `);
    return () => app.db.query(`DROP TRIGGER ${name} ON audit_events`);
  };

  beforeAll(async () => {
    app = await startOwnApp();
    await refuseAuditEntries('refuse_marked_audit', `NEW.request_id LIKE '${REFUSED}%'`);
  });
  afterAll(() => app?.close());

  const mark = () => `${REFUSED}-${randomBytes(6).toString('hex')}`;

  it('rolls the change back and answers 500', async () => {
    const owner = await app.newAdmin();
    const name = `Never Saved ${randomBytes(4).toString('hex')}`;
    const refused = await app.as(owner).post('/api/patients/').set('X-Request-Id', mark()).send({ name });
    expect(refused.status).toBe(500);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    const [{ count }] = await app.db.query<{ count: number }[]>('SELECT count(*)::int AS count FROM patients WHERE name = $1', [name]);
    expect(count).toBe(0);

    const created = await app.as(owner).post('/api/patients/').send({ name: 'Saved' });
    expect(created.status).toBe(201);
    const update = await app.as(owner).patch(`/api/patients/${created.body.id}/`).set('X-Request-Id', mark()).send({ name: 'Renamed' });
    expect(update.status).toBe(500);
    const removal = await app.as(owner).delete(`/api/patients/${created.body.id}/`).set('X-Request-Id', mark());
    expect(removal.status).toBe(500);
    const kept = await app.as(owner).get(`/api/patients/${created.body.id}/`);
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ name: 'Saved', version: created.body.version });
  });

  it('rolls a delete back when the entry of an assignment it ends cannot be written', async () => {
    const owner = await app.newAdmin();
    await refuseAuditEntries('refuse_marked_mapping_audit', `NEW.request_id LIKE 'refuse-mapping%' AND NEW.entity = 'mapping'`);
    const patient = await app.as(owner).post('/api/patients/').send({ name: 'Kept Patient' });
    const doctor = await app.as(owner).post('/api/doctors/').send({ name: 'Dr Kept', specialization: 'Cardiology' });
    const mapping = await app.as(owner).post('/api/mappings/').send({ patient: patient.body.id, doctor: doctor.body.id });
    expect([patient.status, doctor.status, mapping.status]).toEqual([201, 201, 201]);

    const removal = await app
      .as(owner)
      .delete(`/api/doctors/${doctor.body.id}/`)
      .set('X-Request-Id', `refuse-mapping-${randomBytes(6).toString('hex')}`);
    expect(removal.status).toBe(500);
    expect((await app.as(owner).get(`/api/doctors/${doctor.body.id}/`)).status).toBe(200);
    const [kept] = await app.db.query<{ is_active: boolean }[]>('SELECT is_active FROM patient_doctor_mappings WHERE id = $1', [
      mapping.body.id,
    ]);
    expect(kept.is_active).toBe(true);
  });

  it('creates no admin when create-admin cannot write its entry', async () => {
    const accept = await refuseAuditEntries('refuse_create_admin_audit', `'via:create-admin' = ANY (NEW.changed_fields)`);
    const username = `refused${randomBytes(4).toString('hex')}`;
    try {
      const account = { username, email: `${username}@clinic.example`, password: 'Admin-Refused-Pass-9' };
      await expect(createOrPromoteAdmin(app.db, account)).rejects.toThrow(/refused for the test/);
    } finally {
      await accept();
    }
    const [{ count }] = await app.db.query<{ count: number }[]>('SELECT count(*)::int AS count FROM users WHERE username = $1', [username]);
    expect(count).toBe(0);
  });

  it('writes a backlog of batched entries too large for one INSERT once the database takes them again', async () => {
    const release = await refuseAuditEntries('hold_batched_audit', `NEW.request_id LIKE 'held-%'`);
    const audit = app.app.get(AuditService);
    const origin = { requestId: `held-${randomBytes(6).toString('hex')}`, clientIp: '127.0.0.1' };
    // 10 parameters a row: 8,000 rows would need more than the 65,535 one statement may have.
    const backlog = 8_000;
    try {
      for (let i = 1; i <= backlog; i++)
        audit.record({ actorId: null, origin, action: 'read', entity: 'patient', entityId: i, outcome: 'success' });
      await audit.flush(); // refused: the entries are kept for a later flush
    } finally {
      await release();
    }
    await audit.flush();
    const [{ count, distinct }] = await app.db.query<{ count: number; distinct: number }[]>(
      'SELECT count(*)::int AS count, count(DISTINCT entity_id)::int AS distinct FROM audit_events WHERE request_id = $1',
      [origin.requestId],
    );
    expect({ count, distinct }).toEqual({ count: backlog, distinct: backlog });
  });

  it("refuses to write a change's entry outside a transaction, where it would commit alone", async () => {
    const audit = app.app.get(AuditService).of({ id: null }, 'patient');
    await expect(audit.changed(app.db.manager, 'update', 1)).rejects.toThrow(/open transaction/);
  });
});
