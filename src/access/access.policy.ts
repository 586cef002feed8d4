import { AppointmentStatus, CLINICIAN_ONLY } from '../appointments/appointment-status';
import type { WhereExpressionBuilder } from 'typeorm';
import type { AuthUser, ClinicRole } from '../core/auth/auth-user';
import { Role } from '../core/auth/role';
import { sql, type Sql } from '../core/database/sql';

/**
 * Who may see or change what: the one place that says it. Every feature asks here, for a
 * predicate that limits a statement to the caller's records or for a yes/no on a loaded record;
 * none writes a rule of its own. test/access-policy.e2e-spec.ts (personal records) and
 * test/access-policy-clinics.e2e-spec.ts (a clinic's) state the whole policy as tables.
 *
 * - A patient is personal (it belongs to the account that created it) or a clinic's. Admins read
 *   and change all. A personal patient is read and changed by its owner; a clinic's by the clinic's
 *   managers and staff, whoever created it. A doctor account also reads (never changes) those
 *   actively assigned to its live doctor profile: personal ones, and a clinic's where it is a
 *   clinician. Reading one that is not yours answers like a missing one (404); a reader who may
 *   not change it is told so (403).
 * - Doctor profiles are a shared directory: everyone reads and adds. A linked profile (and its
 *   schedule) is changed by its account or an admin, an unlinked one by its creator or an admin,
 *   and a clinic's profile by the clinic's managers too. Only an admin links a profile to an
 *   account, except a doctor account's own first profile; a linked account may give its link up.
 * - Moving a record between clinics: out of a clinic is for its managers; into one, for those who
 *   run such records there (patients: managers and staff; doctor profiles: managers).
 * - Assignments and appointments go with their patient: seen by those who may change the patient,
 *   by admins, and by the doctor's account (assignments while active) under the same clinician
 *   rule as the patient; made by whoever may change the patient. Only the doctor's account or an
 *   admin records an outcome, and the patient side changes only a scheduled appointment.
 * - Schedules are read by everyone. Accounts and the audit trail are for admins (`@Roles` on
 *   their controllers). A deactivated account is refused (401) before any of this, by the guard.
 *
 * Predicates are `Sql` fragments over fixed aliases (`patient`, `doctor`, `assignment`,
 * `appointment`) with the database's column names; values only ever as parameters. Hand-written
 * SQL interpolates them; `whereVisible` hands one to a TypeORM query builder, with named parameters.
 */

/**
 * Limits a query builder by a predicate (nothing, when it is null), its values as named
 * parameters. A predicate is self-contained (bracketed when it is a disjunction), so it is ANDed as is.
 */
export function whereVisible(qb: WhereExpressionBuilder, predicate: Sql | null): void {
  if (predicate === null) return;
  const { text, parameters } = predicate.renderNamed('access');
  qb.andWhere(text, parameters);
}

const isAdmin = (user: AuthUser) => user.role === Role.Admin;
const isDoctor = (user: AuthUser) => user.role === Role.Doctor;

/** The clinics where the caller is an active member in one of `roles`. */
function clinicsAs(user: AuthUser, roles: readonly ClinicRole[]): number[] {
  return (user.clinics ?? []).filter((m) => roles.includes(m.role)).map((m) => m.id);
}

const isMemberAs = (user: AuthUser, clinicId: number, roles: readonly ClinicRole[]) =>
  user.clinics?.some((m) => m.id === clinicId && roles.includes(m.role)) ?? false;

/** Who run a clinic's patient records; a clinic's doctor profiles are its managers'. */
const RUN_PATIENTS: readonly ClinicRole[] = ['manager', 'staff'];
const MANAGERS: readonly ClinicRole[] = ['manager'];

/** Disjunction of predicates, bracketed when there are several. */
function anyOf(parts: Sql[]): Sql {
  return parts.length === 1 ? parts[0] : sql`(${sql.join(parts, ' OR ')})`;
}

/** `patient` is the caller's personal patient. */
const ownsPersonal = (caller: Sql) => sql`(patient.clinic_id IS NULL AND patient.created_by_id = ${caller})`;

/** `patient` is a patient of one of `clinics`. */
const inClinics = (clinics: number[]) => sql`patient.clinic_id = ANY(${sql.param(clinics)})`;

/** An active assignment of `patient` to the live doctor profile linked to the account `caller`. */
const assignedTo = (caller: Sql) =>
  sql`EXISTS (SELECT 1 FROM patient_doctor_mappings m JOIN doctors d ON d.id = m.doctor_id
          WHERE m.patient_id = patient.id AND m.is_active AND d.user_id = ${caller} AND d.deleted_at IS NULL)`;

/**
 * `patient` is one the doctor account `user` acts on through its profile when `through` (an
 * assignment or appointment of that profile) holds: a personal patient, or one of a clinic where
 * it is a clinician. Null for an account that is not a doctor's.
 */
function asClinician(user: AuthUser, through: Sql): Sql | null {
  if (!isDoctor(user)) return null;
  const clinics = clinicsAs(user, ['clinician']);
  const patientOf = clinics.length > 0 ? sql`(patient.clinic_id IS NULL OR ${inClinics(clinics)})` : sql`patient.clinic_id IS NULL`;
  return sql`(${patientOf} AND ${through})`;
}

/** The patient side: the patients the caller may change, over `patient` (not for admins, who change all). */
function patientSide(user: AuthUser, caller: Sql): Sql {
  const clinics = clinicsAs(user, RUN_PATIENTS);
  return clinics.length > 0 ? anyOf([ownsPersonal(caller), inClinics(clinics)]) : ownsPersonal(caller);
}

/** Either side of a record about a patient, or the patient side alone. */
function eitherSide(patientSide: Sql, doctorSide: Sql | null): Sql {
  return doctorSide ? sql`(${patientSide} OR ${doctorSide})` : patientSide;
}

// ---- patients ----

/** Patients the caller may read, over `patient`. */
export function patientReadable(user: AuthUser): Sql {
  if (isAdmin(user)) return sql`TRUE`;
  const caller = sql.param(user.id);
  return eitherSide(patientSide(user, caller), asClinician(user, assignedTo(caller)));
}

/** A key of a search index: the rows of one owner (`created_by_id`) or of one clinic (`clinic_id`). */
export interface PatientSearchKey {
  column: 'created_by_id' | 'clinic_id';
  value: Sql;
}

/**
 * One part of a list of patients: the rows `where` admits, over `patient` (null: all), and
 * `searchKey`, the key of a search index that holds all of them (its owner's, or its clinic's).
 */
export interface ListedPart {
  where: Sql | null;
  searchKey?: PatientSearchKey;
}

/**
 * A list of patients as disjoint parts whose union it is: one, or for a clinic's member its
 * personal patients and each clinic's, so that each part is read (and counted) from an index of
 * its own. As one OR, the total could only be counted through the table: 2.5× slower at 1M rows.
 */
export type PatientsListed = ListedPart[];

/**
 * The patients a list shows, over `patient`: the caller's personal ones and those of the clinics
 * where it runs patient records (all, for admins); with `clinic`, that clinic's; with `assigned`,
 * those its doctor profile acts on (none for an account that is not a doctor's).
 */
export function patientsListed(user: AuthUser, assigned: boolean, clinic?: number): PatientsListed {
  const ofClinic = sql.param(clinic);
  const inClinic = sql`patient.clinic_id = ${ofClinic}`;
  if (assigned) {
    const cared = asClinician(user, assignedTo(sql.param(user.id))) ?? sql`FALSE`;
    return [{ where: clinic === undefined ? cared : sql`(${cared} AND ${inClinic})` }];
  }
  if (clinic !== undefined) {
    if (!mayMoveInto(user, clinic, 'patient')) return [{ where: sql`FALSE` }];
    return [{ where: inClinic, searchKey: { column: 'clinic_id', value: ofClinic } }];
  }
  if (isAdmin(user)) return [{ where: null }];
  const caller = sql.param(user.id);
  const personal: ListedPart = { where: ownsPersonal(caller), searchKey: { column: 'created_by_id', value: caller } };
  const ofEachClinic = clinicsAs(user, RUN_PATIENTS).map((id): ListedPart => {
    const value = sql.param(id);
    return { where: sql`patient.clinic_id = ${value}`, searchKey: { column: 'clinic_id', value } };
  });
  return [personal, ...ofEachClinic];
}

/** Why the caller may not change (update, delete, assign, book for) a patient it may read; null when it may. */
export function patientChangeRefusal(user: AuthUser, patient: { createdById: number; clinicId: number | null }): string | null {
  if (isAdmin(user)) return null;
  if (patient.clinicId === null) {
    return patient.createdById === user.id ? null : 'Only the owner of a patient record or an admin may change it.';
  }
  return isMemberAs(user, patient.clinicId, RUN_PATIENTS) ? null : "Only the clinic's managers and staff or an admin may change it.";
}

/**
 * The clinic a new patient belongs to: the one asked for (null: personal) or, when none is asked
 * for, the caller's one clinic where it runs patient records if it has exactly one. `undefined`
 * when the caller may not put a patient in the clinic asked for (admins may, in any).
 */
export function clinicOfNewPatient(user: AuthUser, asked: number | null | undefined): number | null | undefined {
  if (asked === undefined) {
    const clinics = clinicsAs(user, RUN_PATIENTS);
    return clinics.length === 1 ? clinics[0] : null;
  }
  return asked === null || mayMoveInto(user, asked, 'patient') ? asked : undefined;
}

// Moving a record (that the caller may change) between clinics, or between a clinic and none:
// out of a clinic is for its managers; into one, for those who run such records there. Admins move
// anything anywhere.

/** The caller may take a record out of clinic `clinicId` (null: it is in none). */
export function mayMoveOutOf(user: AuthUser, clinicId: number | null): boolean {
  return clinicId === null || isAdmin(user) || isMemberAs(user, clinicId, MANAGERS);
}

/**
 * The caller may put a patient (managers and staff: those who run its patients) or a doctor
 * profile (managers) into clinic `clinicId`. A clinician may also put its own linked profile there,
 * which nobody else could (a manager may not change a linked profile outside its clinic).
 */
export function mayMoveInto(user: AuthUser, clinicId: number, record: 'patient' | { userId: number | null }): boolean {
  if (isAdmin(user)) return true;
  if (record === 'patient') return isMemberAs(user, clinicId, RUN_PATIENTS);
  return isMemberAs(user, clinicId, record.userId === user.id ? ['manager', 'clinician'] : MANAGERS);
}

// ---- doctor profiles and their schedules ----

/** Whether the caller may change or delete a doctor profile, or its schedule. */
export function mayManageDoctor(user: AuthUser, doctor: { userId: number | null; createdById: number; clinicId: number | null }): boolean {
  if (isAdmin(user) || (doctor.clinicId !== null && isMemberAs(user, doctor.clinicId, MANAGERS))) return true;
  return doctor.userId !== null ? doctor.userId === user.id : doctor.createdById === user.id;
}

/**
 * Whether the caller may move a profile's account link from `from` to `to` (`from` null for a
 * new profile): admins anywhere; naming one's own account on a new profile is the automatic link
 * asked for explicitly; a linked account may give its link up.
 */
export function mayLink(user: AuthUser, from: number | null, to: number | null, isNew: boolean): boolean {
  if (isAdmin(user)) return true;
  return isNew ? to === user.id : to === null && from === user.id;
}

/** Whether a new profile the caller creates, naming no account, is linked to the caller's own (a doctor account's first one). */
export function linksOwnProfile(user: AuthUser): boolean {
  return isDoctor(user);
}

// ---- assignments ----

/** Assignments the caller may see, over `assignment` with its `patient` and `doctor`; null: all. */
export function assignmentsVisible(user: AuthUser): Sql | null {
  if (isAdmin(user)) return null;
  const caller = sql.param(user.id);
  return eitherSide(patientSide(user, caller), asClinician(user, sql`doctor.user_id = ${caller} AND assignment.is_active`));
}

// ---- appointments ----

/** Appointments the caller may see, over `appointment` with its `patient` and `doctor`; null: all. */
export function appointmentsVisible(user: AuthUser): Sql | null {
  if (isAdmin(user)) return null;
  const caller = sql.param(user.id);
  return eitherSide(patientSide(user, caller), asClinician(user, sql`doctor.user_id = ${caller}`));
}

/**
 * Why the caller may not move an appointment it sees to `to` (a move the statuses allow), or
 * null when it may: outcomes are recorded by the appointment's doctor's account or an admin; the
 * patient side changes only a scheduled appointment.
 */
export function statusChangeRefusal(
  user: AuthUser,
  appointment: { status: AppointmentStatus; doctor?: { userId: number | null } },
  to: AppointmentStatus,
): string | null {
  if (isAdmin(user) || appointment.doctor?.userId === user.id) return null;
  if (CLINICIAN_ONLY.includes(to)) return `Only the appointment's doctor or an admin may mark it ${to}.`;
  if (appointment.status !== AppointmentStatus.Scheduled) return 'The patient side may change only a scheduled appointment.';
  return null;
}

// ---- clinics ----
// A clinic is seen by its active members and admins (anyone else: 404, like a missing one); its
// managers (and admins) change it and its members; any member may leave. An invitation gives no
// access until accepted; it is seen by the account it invites (only), which answers it.

/** The caller's membership of one clinic, as far as access goes. */
export interface ClinicMembership {
  role: 'manager' | 'staff' | 'clinician';
  status: 'invited' | 'active';
}

/** Clinics the caller lists, over `clinic`: those it is an active member of (admins: all). */
export function clinicsListed(user: AuthUser): Sql | null {
  if (isAdmin(user)) return null;
  return sql`EXISTS (SELECT 1 FROM clinic_members cm WHERE cm.clinic_id = clinic.id AND cm.user_id = ${sql.param(user.id)} AND cm.status = 'active')`;
}

/**
 * Pending invitations the caller lists, over `membership` (a `clinic_members` row): its own only,
 * admins included (an invitation is its account's to answer; a clinic's managers see those they
 * made among its members).
 */
export function invitationsListed(user: AuthUser): Sql {
  return sql`(membership.user_id = ${sql.param(user.id)} AND membership.status = 'invited')`;
}

/** The caller may see the clinic (and its members) given its membership there, if any. */
export function mayReadClinic(user: AuthUser, membership: ClinicMembership | null): boolean {
  return isAdmin(user) || membership?.status === 'active';
}

/** The caller may change the clinic, invite, change roles and remove members. */
export function mayManageClinic(user: AuthUser, membership: ClinicMembership | null): boolean {
  return isAdmin(user) || (membership?.status === 'active' && membership.role === 'manager');
}

/** The caller may remove the account `userId` from the clinic: a manager anyone, a member itself. */
export function mayRemoveMember(user: AuthUser, membership: ClinicMembership | null, userId: number): boolean {
  return mayManageClinic(user, membership) || (membership?.status === 'active' && userId === user.id);
}

// ---- webhooks ----
// An endpoint of a clinic gets that clinic's events: it is registered, seen and changed by the
// clinic's managers (and admins). An endpoint of no clinic gets every event, personal ones too:
// admins' only. Anyone else gets 404 for an endpoint, as for a missing one, and an empty list.

/** Endpoints the caller lists, over `endpoint`: those of the clinics it manages (admins: all). */
export function webhooksListed(user: AuthUser): Sql | null {
  if (isAdmin(user)) return null;
  const clinics = clinicsAs(user, MANAGERS);
  return clinics.length > 0 ? sql`endpoint.clinic_id = ANY(${sql.param(clinics)})` : sql`FALSE`;
}

/** The caller may see and change (its deliveries, retries and replays included) an endpoint of clinic `clinicId` (null: of none). */
export function mayManageWebhook(user: AuthUser, endpoint: { clinicId: number | null }): boolean {
  if (isAdmin(user)) return true;
  return endpoint.clinicId !== null && isMemberAs(user, endpoint.clinicId, MANAGERS);
}
