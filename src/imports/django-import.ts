import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { DEFAULT_DURATION_MINUTES } from '../appointments/appointment.entity';
import { AuditRepository } from '../audit/audit.repository';
import { type AuditedEntity, changesOf } from '../audit/audit.service';
import { isSuperuser, mapAppointment, mapAssignment, mapDoctor, mapPatient, mapUser, type Mapped } from './django-mapping';
import { KINDS, type Kind, readDjangoDatabase, type Row } from './django-source';
import { ImportsRepository } from './imports.repository';

/**
 * `npm run import:django`: brings the records of one of the Django projects this service
 * replaces over, in one transaction (all or nothing). Users keep their Django password hashes,
 * which login verifies and replaces; records keep their owners (mapped to the new account ids)
 * and their dates. Every imported record is listed in `django_imports` under its source, so a
 * second run imports only what is new. A row this service cannot take (a constraint the old
 * project lacked, an account name taken here, an appointment overlapping another) is skipped and
 * reported with its reason, along with what it depended on.
 */

export interface ImportOptions {
  /** The old database: postgres://… */
  from: string;
  /** Run everything, report, and roll back. */
  dryRun?: boolean;
  /**
   * The account (of this service, or imported by this run, by username) recorded as the creator
   * of the records the old project kept without one: the doctor profiles of seeds 000 to 003.
   * Without it, the first superuser of the old project.
   */
  owner?: string;
}

export interface KindCount {
  imported: number;
  /** Imported by an earlier run of the same source. */
  alreadyImported: number;
  skipped: number;
}

export interface ImportReport {
  source: string;
  tables: Partial<Record<Kind, string>>;
  dryRun: boolean;
  counts: Record<Kind, KindCount>;
  skipped: { kind: Kind; oldId: number; reason: string }[];
  /** Rows imported with a change: a value dropped, cut or filled in. */
  notes: { kind: Kind; oldId: number; note: string }[];
  /** The length given to every imported appointment (the old projects had none). */
  appointmentMinutes: number;
}

/** The audit trail's name of each kind. */
const AUDITED: Record<Kind, AuditedEntity> = {
  user: 'user',
  patient: 'patient',
  doctor: 'doctor',
  assignment: 'mapping',
  appointment: 'appointment',
};

/** What the constraints that refuse an old row mean, said for the report. */
const CONSTRAINT_REASONS: Record<string, string> = {
  users_username_key: 'the username is taken by an account here (usernames are case-insensitive)',
  users_email_key: 'the email is taken by an account here (emails are case-insensitive)',
  users_username_skeleton_key: 'the username looks like that of an account here (confusable characters)',
  users_email_skeleton_key: 'the email looks like that of an account here (confusable characters)',
  users_username_format: 'the username is not accepted here',
  doctors_license_number_key: 'the license number belongs to a doctor profile here already',
  doctors_user_id_key: 'the account has a doctor profile here already',
  mappings_active_pair_key: 'duplicate: this doctor is already assigned to this patient (the old project let a second assignment in)',
  appointments_doctor_no_overlap: 'overlaps another scheduled appointment of the same doctor',
  appointments_patient_no_overlap: 'overlaps another scheduled appointment of the same patient',
  patients_age_range: 'the age is out of range (0 to 150)',
  doctors_experience_range: 'the experience is out of range (0 to 80 years)',
};

/** The constraint a statement broke, if that is what failed. */
function constraintOf(error: unknown): string | undefined {
  return error instanceof QueryFailedError ? (error.driverError as { constraint?: string }).constraint : undefined;
}

/** Why the database refused a row, or nothing when the error is not a refusal (then the import fails). */
function refusal(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const driver = error.driverError as { code?: string; constraint?: string; detail?: string };
  // Integrity constraint violations (class 23): unique, check, foreign key, exclusion, not null.
  if (!driver.code?.startsWith('23')) return undefined;
  return (
    (driver.constraint && CONSTRAINT_REASONS[driver.constraint]) ??
    `refused by the database (${driver.constraint ?? driver.code}): ${driver.detail ?? error.message}`
  );
}

/** Imports the Django project's database `options.from` into the database of `db`. */
export async function importDjango(db: DataSource, options: ImportOptions): Promise<ImportReport> {
  if (options.from.startsWith('sqlite:')) {
    throw new Error(
      'SQLite databases are not read directly: convert it to PostgreSQL first (pgloader, see the README), then give its postgres:// URL.',
    );
  }
  if (!/^postgres(ql)?:\/\//.test(options.from)) throw new Error("--from takes a postgres://… URL of the Django project's database.");
  const old = await readDjangoDatabase(options.from);
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    const report = await new DjangoImport(runner.manager, old.source, old.tables, options).run(old.rows);
    if (options.dryRun) await runner.rollbackTransaction();
    else await runner.commitTransaction();
    return report;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
}

/** One run, inside its transaction. */
class DjangoImport {
  private readonly imports = new ImportsRepository();
  private readonly audit: AuditRepository;
  /** Old id → new id per kind: from earlier runs, then this one's. */
  private readonly ids = Object.fromEntries(KINDS.map((kind) => [kind, new Map<number, number>()])) as Record<Kind, Map<number, number>>;
  private readonly report: ImportReport;
  /** The old ids of the old project's superusers, in its order: the first imported is the default owner. */
  private oldSuperusers: number[] = [];
  private defaultOwnerId?: number;

  constructor(
    private readonly manager: EntityManager,
    private readonly source: string,
    tables: Partial<Record<Kind, string>>,
    private readonly options: ImportOptions,
  ) {
    this.audit = new AuditRepository(manager.connection);
    this.report = {
      source,
      tables,
      dryRun: options.dryRun === true,
      counts: Object.fromEntries(KINDS.map((kind) => [kind, { imported: 0, alreadyImported: 0, skipped: 0 }])) as Record<Kind, KindCount>,
      skipped: [],
      notes: [],
      appointmentMinutes: DEFAULT_DURATION_MINUTES,
    };
  }

  async run(rows: Record<Kind, Row[]>): Promise<ImportReport> {
    // Two imports at once would both find a row not yet imported.
    await this.imports.lockImports(this.manager);
    for (const row of await this.imports.findImported(this.manager, this.source)) this.ids[row.kind].set(row.old_id, row.new_id);
    this.oldSuperusers = rows.user.filter(isSuperuser).map((row) => Number(row.id));

    await this.each('user', rows.user, mapUser, (user, notes) =>
      // Phones are unique among accounts here (by their digits), not in every old project.
      this.insertWithout(user, { field: 'phone', constraint: 'users_phone_key', holder: 'account' }, notes, (record) =>
        this.imports.insertUser(this.manager, record),
      ),
    );
    await this.each('patient', rows.patient, mapPatient, async (patient) => {
      const owner = this.newId('user', patient.oldOwnerId);
      if (owner === null) return { skip: `its owner (user ${patient.oldOwnerId}) was not imported` };
      return this.imports.insertPatient(this.manager, patient, owner);
    });
    await this.each('doctor', rows.doctor, mapDoctor, async (doctor, notes) => {
      let owner = this.newId('user', doctor.oldOwnerId);
      if (owner === null) {
        // A shared directory entry: its creator only decides who (besides admins) may change it.
        if (doctor.oldOwnerId !== null)
          notes.push(`its creator (user ${doctor.oldOwnerId}) was not imported: created by the default owner`);
        owner = await this.defaultOwner();
      }
      // Doctor emails are unique here, not in the old projects.
      return this.insertWithout(doctor, { field: 'email', constraint: 'doctors_email_key', holder: 'doctor profile' }, notes, (record) =>
        this.imports.insertDoctor(this.manager, record, owner),
      );
    });
    await this.each('assignment', rows.assignment, mapAssignment, async (assignment) => {
      const refs = await this.references(assignment.oldPatientId, assignment.oldDoctorId);
      if ('skip' in refs) return refs;
      return this.imports.insertAssignment(
        this.manager,
        { ...assignment, patientId: refs.patientId, doctorId: refs.doctorId },
        this.newId('user', assignment.oldOwnerId) ?? refs.patientOwner,
      );
    });
    await this.each('appointment', rows.appointment, mapAppointment, async (appointment) => {
      const refs = await this.references(appointment.oldPatientId, appointment.oldDoctorId);
      if ('skip' in refs) return refs;
      return this.imports.insertAppointment(
        this.manager,
        { ...appointment, patientId: refs.patientId, doctorId: refs.doctorId, durationMinutes: DEFAULT_DURATION_MINUTES },
        this.newId('user', appointment.oldOwnerId) ?? refs.patientOwner,
      );
    });
    return this.report;
  }

  /**
   * Imports the rows of one kind not imported before: maps each, inserts it alone (a refusal
   * undoes only that row), lists it in django_imports, and audits what was created, one entry
   * per record, with no actor (the operator at the command line, as for create-admin).
   */
  private async each<T>(
    kind: Kind,
    rows: Row[],
    map: (row: Row, notes: string[]) => Mapped<T>,
    insert: (record: T, notes: string[]) => Promise<number | { skip: string }>,
  ): Promise<void> {
    const counts = this.report.counts[kind];
    const created: number[] = [];
    for (const row of rows) {
      const oldId = Number(row.id);
      if (this.ids[kind].has(oldId)) {
        counts.alreadyImported++;
        continue;
      }
      const notes: string[] = [];
      const mapped = map(row, notes);
      let outcome: number | { skip: string };
      if ('skip' in mapped) outcome = mapped;
      else {
        try {
          outcome = await this.imports.alone(this.manager, () => insert(mapped.record, notes));
        } catch (error) {
          const reason = refusal(error);
          if (reason === undefined) throw error;
          outcome = { skip: reason };
        }
      }
      if (typeof outcome !== 'number') {
        counts.skipped++;
        this.report.skipped.push({ kind, oldId, reason: outcome.skip });
        continue;
      }
      await this.imports.recordImported(this.manager, this.source, kind, oldId, outcome);
      this.ids[kind].set(oldId, outcome);
      created.push(outcome);
      counts.imported++;
      for (const note of notes) this.report.notes.push({ kind, oldId, note });
    }
    if (created.length > 0) {
      await changesOf(this.audit, { id: null }, AUDITED[kind]).changedAll(this.manager, 'create', created, ['via:import-django']);
    }
  }

  /**
   * Inserts `record`; when its `field` is another `holder`'s here (`constraint` refuses it), inserts
   * it without that value instead, and notes so.
   */
  private async insertWithout<F extends string, T extends Record<F, string | null>>(
    record: T,
    { field, constraint, holder }: { field: F; constraint: string; holder: string },
    notes: string[],
    insert: (record: T) => Promise<number>,
  ): Promise<number> {
    try {
      return await this.imports.alone(this.manager, () => insert(record));
    } catch (error) {
      if (record[field] === null || constraintOf(error) !== constraint) throw error;
      notes.push(`${field} ${record[field]} belongs to another ${holder}: imported without it`);
      return insert({ ...record, [field]: null });
    }
  }

  private newId(kind: Kind, oldId: number | null): number | null {
    return oldId === null ? null : (this.ids[kind].get(oldId) ?? null);
  }

  /** The new patient and doctor of an assignment or appointment, and the patient's owner. */
  private async references(
    oldPatientId: number,
    oldDoctorId: number,
  ): Promise<{ patientId: number; doctorId: number; patientOwner: number } | { skip: string }> {
    const patientId = this.newId('patient', oldPatientId);
    if (patientId === null) return { skip: `its patient (${oldPatientId}) was not imported` };
    const doctorId = this.newId('doctor', oldDoctorId);
    if (doctorId === null) return { skip: `its doctor (${oldDoctorId}) was not imported` };
    const patientOwner = await this.imports.findPatientOwner(this.manager, patientId);
    if (patientOwner === null) return { skip: `its patient (${oldPatientId}, here ${patientId}) is no longer here` };
    return { patientId, doctorId, patientOwner };
  }

  /** The creator given to records the old project kept without one (see ImportOptions.owner). */
  private async defaultOwner(): Promise<number> {
    if (this.defaultOwnerId !== undefined) return this.defaultOwnerId;
    const username = this.options.owner;
    let owner: number | null;
    if (username !== undefined) {
      owner = await this.imports.findUserId(this.manager, username);
      if (owner === null) throw new Error(`--owner ${username}: no such account here, nor imported.`);
    } else {
      owner = this.oldSuperusers.map((oldId) => this.newId('user', oldId)).find((id) => id !== null) ?? null;
      if (owner === null) {
        throw new Error(
          'The doctor profiles of this project record no creator, and it has no superuser to take that part: ' +
            'name an account with --owner <username> (one of this service, or one being imported).',
        );
      }
    }
    this.defaultOwnerId = owner;
    return owner;
  }
}
