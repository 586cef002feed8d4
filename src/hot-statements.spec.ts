import { DataSource, type EntityManager } from 'typeorm';
import { beforeAll, describe, expect, it } from 'vitest';
import { patientReadable } from './access/access.policy';
import { AppointmentStatus } from './appointments/appointment-status';
import { AppointmentsRepository } from './appointments/appointments.repository';
import { DoctorsRepository } from './doctors/doctors.repository';
import { EventsRepository } from './events/events.repository';
import { ListDoctorsQuery } from './doctors/dto/list-doctors.query';
import { standaloneDataSourceOptions } from './entities';
import { ListPatientsQuery } from './patients/dto/list-patients.query';
import { PatientsRepository } from './patients/patients.repository';
import { PatientsService } from './patients/patients.service';
import { RemindersRepository } from './reminders/reminders.repository';
import type { AuthUser } from './core/auth/auth-user';
import { Role } from './core/auth/role';

/*
 * The statements the hot paths send, as the services build them, written out in full: the text
 * must stay byte for byte what PostgreSQL has been receiving (its plans and the prepared-statement
 * cache key on it), with the same parameters in the same order. The services run against a
 * manager that records what it is asked, over the real entity metadata (no connection).
 */

const PATIENT_COLUMNS = `patient."created_at" AS "createdAt", patient."updated_at" AS "updatedAt", patient."created_by_id" AS "createdById", patient."version" AS "version", patient."deleted_at" AS "deletedAt", patient."id" AS "id", patient."name" AS "name", patient."email" AS "email", patient."phone" AS "phone", to_char(patient."date_of_birth", 'YYYY-MM-DD') AS "dateOfBirth", patient."age" AS "age", patient."gender" AS "gender", patient."blood_group" AS "bloodGroup", patient."address" AS "address", patient."emergency_contact" AS "emergencyContact", patient."medical_history" AS "medicalHistory", patient."clinic_id" AS "clinicId"`;
const DOCTOR_COLUMNS = `doctor."created_at" AS "createdAt", doctor."updated_at" AS "updatedAt", doctor."created_by_id" AS "createdById", doctor."version" AS "version", doctor."deleted_at" AS "deletedAt", doctor."id" AS "id", doctor."name" AS "name", doctor."email" AS "email", doctor."phone" AS "phone", doctor."specialization" AS "specialization", doctor."license_number" AS "licenseNumber", doctor."experience_years" AS "experienceYears", doctor."consultation_fee" AS "consultationFee", doctor."address" AS "address", doctor."availability" AS "availability", doctor."hospital" AS "hospital", doctor."user_id" AS "userId", doctor."clinic_id" AS "clinicId"`;
const APPOINTMENT_COLUMNS = `appointment."created_at" AS "createdAt", appointment."updated_at" AS "updatedAt", appointment."id" AS "id", appointment."doctor_id" AS "doctorId", appointment."patient_id" AS "patientId", appointment."appointment_datetime" AS "appointmentDatetime", appointment."duration_minutes" AS "durationMinutes", appointment."ends_at" AS "endsAt", appointment."reason" AS "reason", appointment."status" AS "status", appointment."notes" AS "notes", appointment."created_by_id" AS "createdById", appointment."version" AS "version"`;

/** `joinedColumnsOf`'s list: each column named `alias.property`. */
const joined = (columns: string, alias: string) => columns.replace(/ AS "/g, ` AS "${alias}.`);
const SCHEDULE_COLUMNS = `schedule."created_at" AS "createdAt", schedule."updated_at" AS "updatedAt", schedule."doctor_id" AS "doctorId", schedule."timezone" AS "timezone", schedule."slot_minutes" AS "slotMinutes", schedule."entries" AS "entries", schedule."version" AS "version"`;

const DOCTOR: AuthUser = { id: 31, username: 'doc', role: Role.Doctor };
const OWNER: AuthUser = { id: 12, username: 'owner', role: Role.Patient };

describe('hot-path statements', () => {
  let sent: { text: string; values: unknown[]; prepared?: true }[];
  let manager: EntityManager;
  /** What a service's `this` needs on these paths. */
  let services: {
    db: { manager: EntityManager };
    patients: PatientsRepository;
    audit: { record(): void; of(): { listed(): void } };
    config: { booking: { maxUpcomingPerPatient: number } };
  };
  let doctors: DoctorsRepository;
  let appointments: AppointmentsRepository;

  beforeAll(async () => {
    const dataSource = new DataSource(standaloneDataSourceOptions('postgres://nobody@127.0.0.1:1/none'));
    await (dataSource as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
    manager = {
      connection: dataSource,
      // In a transaction: the statement goes to the transaction's query runner as it is. No rows,
      // but a count has its one.
      queryRunner: {
        query: (text: string, values: unknown[]) => (
          sent.push({ text, values }),
          Promise.resolve({ records: text.startsWith('SELECT count') ? [{ count: '0' }] : [] })
        ),
        // A prepared statement goes to the transaction's connection, named.
        connect: () =>
          Promise.resolve({
            query: ({ name, text, values }: { name: string; text: string; values: unknown[] }) => {
              expect(name).toMatch(/^hc_\d+$/);
              sent.push({ text, values, prepared: true });
              return Promise.resolve({ rows: [] });
            },
          }),
      },
    } as unknown as EntityManager;
    const db = { manager } as unknown as DataSource;
    services = {
      db,
      patients: new PatientsRepository(db),
      audit: { record: () => undefined, of: () => ({ listed: () => undefined }) },
      config: { booking: { maxUpcomingPerPatient: 5 } },
    };
    doctors = new DoctorsRepository(db);
    appointments = new AppointmentsRepository(db);
  });

  const run = async (call: () => Promise<unknown>) => {
    sent = [];
    await call();
    return sent;
  };

  it('reads a patient for a doctor account: the caller once, in both arms, prepared', async () => {
    expect(await run(() => PatientsService.prototype.findReadable.call(services, manager, 5, DOCTOR))).toEqual([
      {
        text: `SELECT ${PATIENT_COLUMNS} FROM patients patient WHERE patient.id = $1 AND patient.deleted_at IS NULL AND ((patient.clinic_id IS NULL AND patient.created_by_id = $2) OR (patient.clinic_id IS NULL AND EXISTS (SELECT 1 FROM patient_doctor_mappings m JOIN doctors d ON d.id = m.doctor_id\n          WHERE m.patient_id = patient.id AND m.is_active AND d.user_id = $2 AND d.deleted_at IS NULL)))`,
        values: [5, 31],
        prepared: true,
      },
    ]);
  });

  it('searches one owner’s patients: the WHERE shared by the page and its count', async () => {
    const query = Object.assign(new ListPatientsQuery(), { page_size: 100, search: 'Smi_th', blood_group: 'A+' });
    const where = `WHERE patient.deleted_at IS NULL AND (patient.clinic_id IS NULL AND patient.created_by_id = $1) AND patient_search_keys(patient.created_by_id, patient.name, patient.email::text, patient.phone) @> patient_search_keys($1, $2, '', '') AND (patient.name ILIKE $3 OR patient.email::text ILIKE $3 OR patient.phone ILIKE $3) AND patient.blood_group = $4`;
    expect(await run(() => PatientsService.prototype.list.call(services, query, OWNER))).toEqual([
      {
        text: `SELECT ${PATIENT_COLUMNS}, (SELECT count(*) FROM patients patient ${where}) AS "listTotal" FROM patients patient ${where} ORDER BY patient.id ASC LIMIT 100 OFFSET 0`,
        values: [12, 'Smi_th', '%Smi\\_th%', 'A+'],
      },
    ]);
  });

  it('lists doctors by search and specialization, ordered; a page past the end counts on its own', async () => {
    const query = Object.assign(new ListDoctorsQuery(), {
      page: 3,
      page_size: 20,
      search: 'ann',
      specialization: 'card',
      ordering: '-experience_years',
    });
    const where = `WHERE doctor.deleted_at IS NULL AND (doctor.name ILIKE $1 OR doctor.specialization ILIKE $1 OR doctor.email::text ILIKE $1 OR doctor.hospital ILIKE $1) AND doctor.specialization ILIKE $2`;
    expect(await run(() => doctors.list(query))).toEqual([
      {
        text: `SELECT ${DOCTOR_COLUMNS}, (SELECT count(*) FROM doctors doctor ${where}) AS "listTotal" FROM doctors doctor ${where} ORDER BY doctor.experience_years DESC NULLS FIRST, doctor.id ASC LIMIT 20 OFFSET 40`,
        values: ['%ann%', 'card'],
      },
      { text: `SELECT count(*) FROM doctors doctor ${where}`, values: ['%ann%', 'card'] },
    ]);
  });

  it('lists doctors unfiltered, prepared: the page as parameters', async () => {
    const query = Object.assign(new ListDoctorsQuery(), { page: 2, page_size: 20 });
    expect(await run(() => doctors.list(query))).toEqual([
      {
        text: `SELECT ${DOCTOR_COLUMNS}, (SELECT count(*) FROM doctors doctor WHERE doctor.deleted_at IS NULL) AS "listTotal" FROM doctors doctor WHERE doctor.deleted_at IS NULL ORDER BY doctor.id ASC NULLS LAST LIMIT $1 OFFSET $2`,
        values: [20, 20],
        prepared: true,
      },
      // No row came back: a page past the end counts on its own.
      { text: `SELECT count(*) FROM doctors doctor WHERE doctor.deleted_at IS NULL`, values: [] },
    ]);
  });

  it('books: the locked parties with the schedule, then the insert under the cap with its history, its event and reminders, both prepared', async () => {
    const reminders = new RemindersRepository(services.db as unknown as DataSource);
    const event = { type: 'appointment.booked' as const, patient: 5, data: { patient: 5, doctor: 3, changed_fields: ['doctor'] } };
    const booking = {
      doctorId: 3,
      patientId: 5,
      appointmentDatetime: new Date('2030-01-02T09:00:00Z'),
      durationMinutes: 30,
      endsAt: new Date('2030-01-02T09:30:00Z'),
      reason: null,
      notes: 'first visit',
      status: AppointmentStatus.Scheduled,
      createdById: 12,
    };
    expect(
      await run(async () => {
        await appointments.lockParties(manager, 5, 3, patientReadable(OWNER)).catch(() => undefined);
        await appointments.insertWithHistory(manager, booking, 20, {
          emitted: (record) =>
            new EventsRepository().insertedWith(event, record, 'appointment', [reminders.planForBookings(record, [86_400])]),
        });
      }),
    ).toEqual([
      {
        text: `WITH patient AS (\n         SELECT patient.*, (patient.clinic_id IS NULL AND patient.created_by_id = $1) AS readable FROM patients patient\n         WHERE patient.id = $2 AND patient.deleted_at IS NULL FOR NO KEY UPDATE\n       ), doctor AS (\n         SELECT doctor.* FROM doctors doctor WHERE doctor.id = $3 AND doctor.deleted_at IS NULL FOR SHARE\n       )\n       SELECT ${joined(PATIENT_COLUMNS, 'patient')}, patient.readable AS "patient.readable",\n         ${joined(DOCTOR_COLUMNS, 'doctor')}, ${joined(SCHEDULE_COLUMNS, 'schedule')},\n         CASE WHEN schedule.doctor_id IS NOT NULL THEN coalesce(schedule.timezone, (SELECT clinic.timezone FROM doctors doctor JOIN clinics clinic ON clinic.id = doctor.clinic_id WHERE doctor.id = schedule.doctor_id)) END AS "effectiveTimezone"\n       FROM (SELECT) one LEFT JOIN patient ON TRUE LEFT JOIN doctor ON TRUE\n         LEFT JOIN doctor_schedules schedule ON schedule.doctor_id = doctor.id`,
        values: [12, 5, 3],
        prepared: true,
      },
      {
        text: `WITH upcoming AS (SELECT count(*)::int AS count FROM appointments\n       WHERE patient_id = $1 AND status IN ('SCHEDULED', 'CHECKED_IN') AND appointment_datetime > now() AND id <> $2), appointment AS (\n         INSERT INTO appointments (doctor_id, patient_id, appointment_datetime, duration_minutes, ends_at, reason, notes, status, created_by_id)\n         SELECT $3, $4, $5, $6, $7, $8, $9, $10, $11\n         FROM upcoming WHERE upcoming.count < $12 RETURNING *\n       ), history AS (\n         INSERT INTO appointment_status_changes (appointment_id, to_status, changed_by_id)\n         SELECT id, status, created_by_id FROM appointment\n       ), emitted AS (\n        INSERT INTO events (type, clinic_id, data)\n        SELECT $13::varchar, patient.clinic_id, $14::jsonb || jsonb_build_object($15::text, record.id)\n        FROM appointment record LEFT JOIN patients patient ON patient.id = $16::integer\n        RETURNING id, type, clinic_id, occurred_at, data\n      ), booked_reminders AS (INSERT INTO appointment_reminders (appointment_id, lead_seconds, send_at)\n    SELECT appointment.id, lead.seconds, appointment.appointment_datetime - make_interval(secs => lead.seconds)\n    FROM appointment appointment\n    JOIN patients patient ON patient.id = appointment.patient_id AND patient.email IS NOT NULL\n    CROSS JOIN unnest($17::int[]) AS lead (seconds)\n    WHERE appointment.status::text = 'SCHEDULED'\n      AND appointment.appointment_datetime - make_interval(secs => lead.seconds) > now() RETURNING id, send_at), booked_reminder_jobs AS (\n        INSERT INTO pgboss.job (name, data, start_after, expire_in, keep_until, retry_limit, retry_delay, retry_backoff, dead_letter, policy)\n    SELECT q.name, j.data, j.start_after,\n      coalesce(j.expire_seconds, q.expire_seconds, 900) * interval '1s',\n      j.start_after + coalesce(q.retention_minutes * interval '1 minute', interval '14 days'),\n      coalesce(q.retry_limit, 2),\n      CASE WHEN coalesce(q.retry_backoff, false) THEN greatest(coalesce(j.retry_delay, q.retry_delay, 1), 1)\n           ELSE coalesce(j.retry_delay, q.retry_delay, 0) END,\n      coalesce(q.retry_backoff, false),\n      q.dead_letter,\n      q.policy\n    FROM (SELECT jsonb_build_object('reminder', id), send_at, NULL::int, NULL::int FROM booked_reminders) AS j (data, start_after, retry_delay, expire_seconds)\n    JOIN pgboss.queue q ON q.name = $18::text\n      )\n       SELECT ${APPOINTMENT_COLUMNS}, emitted.id AS "event.id", emitted.clinic_id AS "event.clinic_id", emitted.occurred_at AS "event.occurred_at"\n       FROM appointment LEFT JOIN emitted ON TRUE`,
        values: [
          5,
          0,
          3,
          5,
          booking.appointmentDatetime,
          30,
          booking.endsAt,
          null,
          'first visit',
          'SCHEDULED',
          12,
          20,
          'appointment.booked',
          JSON.stringify(event.data),
          'appointment',
          5,
          [86_400],
          'appointment-reminder',
        ],
        prepared: true,
      },
    ]);
  });
  it("writes a booking's event, its reminders and their jobs in one statement, the leads as one array parameter", async () => {
    const reminders = new RemindersRepository(services.db as unknown as DataSource);
    const event = {
      type: 'appointment.booked' as const,
      patient: 5,
      data: { appointment: 7, patient: 5, doctor: 3, changed_fields: ['doctor'] },
    };
    expect(await run(() => new EventsRepository().insert(manager, [event], [reminders.planForBookings([7], [86_400, 7_200])]))).toEqual([
      {
        text: `WITH emitted AS (\n        INSERT INTO events (type, clinic_id, data)\n        SELECT e.type, patient.clinic_id, e.data\n        FROM (VALUES (0, $1::varchar, $2::integer, $3::jsonb)) AS e (ordinal, type, patient_id, data)\n        LEFT JOIN patients patient ON patient.id = e.patient_id\n        ORDER BY e.ordinal\n        RETURNING id, type, clinic_id, occurred_at, data\n      ), booked_reminders AS (INSERT INTO appointment_reminders (appointment_id, lead_seconds, send_at)\n    SELECT appointment.id, lead.seconds, appointment.appointment_datetime - make_interval(secs => lead.seconds)\n    FROM appointments appointment\n    JOIN patients patient ON patient.id = appointment.patient_id AND patient.email IS NOT NULL\n    CROSS JOIN unnest($4::int[]) AS lead (seconds)\n    WHERE appointment.id = ANY ($5::int[]) AND appointment.status::text = 'SCHEDULED'\n      AND appointment.appointment_datetime - make_interval(secs => lead.seconds) > now() RETURNING id, send_at), booked_reminder_jobs AS (\n        INSERT INTO pgboss.job (name, data, start_after, expire_in, keep_until, retry_limit, retry_delay, retry_backoff, dead_letter, policy)\n    SELECT q.name, j.data, j.start_after,\n      coalesce(j.expire_seconds, q.expire_seconds, 900) * interval '1s',\n      j.start_after + coalesce(q.retention_minutes * interval '1 minute', interval '14 days'),\n      coalesce(q.retry_limit, 2),\n      CASE WHEN coalesce(q.retry_backoff, false) THEN greatest(coalesce(j.retry_delay, q.retry_delay, 1), 1)\n           ELSE coalesce(j.retry_delay, q.retry_delay, 0) END,\n      coalesce(q.retry_backoff, false),\n      q.dead_letter,\n      q.policy\n    FROM (SELECT jsonb_build_object('reminder', id), send_at, NULL::int, NULL::int FROM booked_reminders) AS j (data, start_after, retry_delay, expire_seconds)\n    JOIN pgboss.queue q ON q.name = $6::text\n      )\n      SELECT id, clinic_id, occurred_at FROM emitted ORDER BY id`,
        values: ['appointment.booked', 5, JSON.stringify(event.data), [86_400, 7_200], [7], 'appointment-reminder'],
        prepared: true,
      },
    ]);
  });
});
