import type { EntityManager } from 'typeorm';
import { query, selectOne, sql } from '../core/database/sql';
import { accountNameSkeleton } from '../users/account-names';
import type { NewAppointment, NewAssignment, NewDoctor, NewPatient, NewUser } from './django-mapping';
import type { Kind } from './django-source';

/** A column's name and the value to write into it. */
type ColumnValue = [column: string, value: unknown];

/** `INSERT INTO table (columns) VALUES (values) RETURNING id`, a null value left to the column's default. */
async function insertReturningId(manager: EntityManager, table: string, values: ColumnValue[]): Promise<number> {
  const given = values.filter(([, value]) => value !== null && value !== undefined);
  const columns = sql.join(
    given.map(([column]) => sql.identifier(column)),
    ', ',
  );
  const params = sql.join(
    given.map(([, value]) => sql`${value}`),
    ', ',
  );
  const row = await selectOne<{ id: number }>(
    manager,
    sql`INSERT INTO ${sql.identifier(table)} (${columns}) VALUES (${params}) RETURNING id`,
  );
  return row!.id;
}

/**
 * Every statement the Django import makes on this service's database. Records are inserted
 * directly, not through the services: they keep their old owners and dates, and an old
 * appointment may lie in the past, which booking refuses.
 */
export class ImportsRepository {
  /** What earlier runs imported from `source`: old id → new id, per kind. */
  async findImported(manager: EntityManager, source: string): Promise<{ kind: Kind; old_id: number; new_id: number }[]> {
    return query(manager, sql`SELECT kind, old_id, new_id FROM django_imports WHERE source = ${source}`);
  }

  async recordImported(manager: EntityManager, source: string, kind: Kind, oldId: number, newId: number): Promise<void> {
    await query(manager, sql`INSERT INTO django_imports (source, kind, old_id, new_id) VALUES (${source}, ${kind}, ${oldId}, ${newId})`);
  }

  /** Held until the transaction ends: imports take turns. */
  async lockImports(manager: EntityManager): Promise<void> {
    await query(manager, sql`SELECT pg_advisory_xact_lock(hashtext('django_imports'))`);
  }

  /** The owner of a patient that is here (not deleted), or null. */
  async findPatientOwner(manager: EntityManager, id: number): Promise<number | null> {
    return (
      (await selectOne<{ created_by_id: number }>(manager, sql`SELECT created_by_id FROM patients WHERE id = ${id} AND deleted_at IS NULL`))
        ?.created_by_id ?? null
    );
  }

  async findUserId(manager: EntityManager, username: string): Promise<number | null> {
    return (await selectOne<{ id: number }>(manager, sql`SELECT id FROM users WHERE username = ${username}`))?.id ?? null;
  }

  /** Runs `write` so that its failure undoes only itself, not the transaction around it. */
  async alone<T>(manager: EntityManager, write: () => Promise<T>): Promise<T> {
    await query(manager, sql`SAVEPOINT django_import_row`);
    try {
      const result = await write();
      await query(manager, sql`RELEASE SAVEPOINT django_import_row`);
      return result;
    } catch (error) {
      await query(manager, sql`ROLLBACK TO SAVEPOINT django_import_row`);
      throw error;
    }
  }

  insertUser(manager: EntityManager, user: NewUser): Promise<number> {
    return insertReturningId(manager, 'users', [
      ['username', user.username],
      ['email', user.email],
      // As UserSkeletonsSubscriber sets them for an insert through the entity.
      ['username_skeleton', accountNameSkeleton(user.username)],
      ['email_skeleton', accountNameSkeleton(user.email)],
      ['password_hash', user.passwordHash],
      ['role', user.role],
      ['is_active', user.isActive],
      ['date_joined', user.dateJoined],
      ['last_login', user.lastLogin],
      ['phone', user.phone],
      ['full_name', user.fullName],
    ]);
  }

  insertPatient(manager: EntityManager, patient: NewPatient, createdById: number): Promise<number> {
    return insertReturningId(manager, 'patients', [
      ['name', patient.name],
      ['email', patient.email],
      ['phone', patient.phone],
      ['date_of_birth', patient.dateOfBirth],
      ['age', patient.age],
      ['gender', patient.gender],
      ['blood_group', patient.bloodGroup],
      ['address', patient.address],
      ['emergency_contact', patient.emergencyContact],
      ['medical_history', patient.medicalHistory],
      ['created_by_id', createdById],
      ['created_at', patient.createdAt],
    ]);
  }

  insertDoctor(manager: EntityManager, doctor: NewDoctor, createdById: number): Promise<number> {
    return insertReturningId(manager, 'doctors', [
      ['name', doctor.name],
      ['email', doctor.email],
      ['phone', doctor.phone],
      ['specialization', doctor.specialization],
      ['license_number', doctor.licenseNumber],
      ['experience_years', doctor.experienceYears],
      ['consultation_fee', doctor.consultationFee],
      ['address', doctor.address],
      ['availability', doctor.availability],
      ['hospital', doctor.hospital],
      ['created_by_id', createdById],
      ['created_at', doctor.createdAt],
    ]);
  }

  insertAssignment(
    manager: EntityManager,
    assignment: NewAssignment & { patientId: number; doctorId: number },
    createdById: number,
  ): Promise<number> {
    return insertReturningId(manager, 'patient_doctor_mappings', [
      ['patient_id', assignment.patientId],
      ['doctor_id', assignment.doctorId],
      ['notes', assignment.notes],
      ['is_active', assignment.isActive],
      ['assigned_date', assignment.assignedDate],
      ['ended_at', assignment.endedAt],
      ['created_by_id', createdById],
      ['created_at', assignment.assignedDate],
    ]);
  }

  /** An appointment and the first entry of its status history, as booking writes them. */
  async insertAppointment(
    manager: EntityManager,
    appointment: NewAppointment & { patientId: number; doctorId: number; durationMinutes: number },
    createdById: number,
  ): Promise<number> {
    const endsAt = new Date(appointment.appointmentDatetime.getTime() + appointment.durationMinutes * 60_000);
    const id = await insertReturningId(manager, 'appointments', [
      ['doctor_id', appointment.doctorId],
      ['patient_id', appointment.patientId],
      ['appointment_datetime', appointment.appointmentDatetime],
      ['duration_minutes', appointment.durationMinutes],
      ['ends_at', endsAt],
      ['reason', appointment.reason],
      ['notes', appointment.notes],
      ['status', appointment.status],
      ['created_by_id', createdById],
      ['created_at', appointment.createdAt],
    ]);
    await query(
      manager,
      sql`INSERT INTO appointment_status_changes (appointment_id, from_status, to_status, changed_by_id, changed_at)
        VALUES (${id}, NULL, ${appointment.status}, ${createdById}, COALESCE(${appointment.createdAt}::timestamptz, now()))`,
    );
    return id;
  }
}
