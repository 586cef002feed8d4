import { AppointmentStatus, CLINICIAN_ONLY } from '../appointments/appointment-status';
import type { WhereExpressionBuilder } from 'typeorm';
import type { AuthUser } from '../core/auth/auth-user';
import { Role } from '../core/auth/role';
import { sql, type Sql } from '../core/database/sql';

/**
 * Who may see or change what: the one place that says it. Every feature asks here, for a
 * predicate that limits a statement to the caller's records or for a yes/no on a loaded record;
 * none writes a rule of its own. test/access-policy.e2e-spec.ts states the whole policy as a table.
 *
 * - Patients belong to the account that created them. Admins read and change all. A doctor
 *   account also reads (never changes) those actively assigned to its live doctor profile.
 *   Reading one that is not yours answers like a missing one (404); a reader who may not change
 *   it is told so (403).
 * - Doctor profiles are a shared directory: everyone reads and adds. A linked profile (and its
 *   schedule) is changed by its account or an admin, an unlinked one by its creator or an admin.
 *   Only an admin links a profile to an account, except a doctor account's own first profile;
 *   a linked account may give its link up.
 * - Assignments: seen by the patient's owner, by the assigned doctor's account while active, and
 *   by admins; made and ended by whoever may change the patient.
 * - Appointments: seen by the patient's owner, the doctor's account and admins; booked by whoever
 *   may change the patient; only the doctor's account or an admin records an outcome, and the
 *   patient side changes only a scheduled one.
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

/** The caller owns `patient`. */
const owns = (caller: Sql) => sql`patient.created_by_id = ${caller}`;

/** An active assignment of `patient` to the live doctor profile linked to the account `caller`. */
const assignedTo = (caller: Sql) =>
  sql`EXISTS (SELECT 1 FROM patient_doctor_mappings m JOIN doctors d ON d.id = m.doctor_id
          WHERE m.patient_id = patient.id AND m.is_active AND d.user_id = ${caller} AND d.deleted_at IS NULL)`;

// ---- patients ----

/** Patients the caller may read, over `patient`. */
export function patientReadable(user: AuthUser): Sql {
  if (isAdmin(user)) return sql`TRUE`;
  const caller = sql.param(user.id);
  return isDoctor(user) ? sql`(${owns(caller)} OR ${assignedTo(caller)})` : owns(caller);
}

/**
 * The patients a list shows, over `patient`: one's own (all, for admins), or with `assigned`
 * those assigned to the caller's doctor profile (none for an account that is not a doctor's).
 * `owner` is the caller's parameter when the list is limited to its own patients, for the
 * owner-keyed search index.
 */
export function patientsListed(user: AuthUser, assigned: boolean): { where: Sql | null; owner?: Sql } {
  if (assigned) return { where: isDoctor(user) ? assignedTo(sql.param(user.id)) : sql`FALSE` };
  if (isAdmin(user)) return { where: null };
  const owner = sql.param(user.id);
  return { where: owns(owner), owner };
}

/** Whether the caller may change (update, delete, assign, book for) a patient it may read. */
export function mayChangePatient(user: AuthUser, patient: { createdById: number }): boolean {
  return isAdmin(user) || patient.createdById === user.id;
}

// ---- doctor profiles and their schedules ----

/** Whether the caller may change or delete a doctor profile, or its schedule. */
export function mayManageDoctor(user: AuthUser, doctor: { userId: number | null; createdById: number }): boolean {
  if (isAdmin(user)) return true;
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
  return isDoctor(user) ? sql`(${owns(caller)} OR (doctor.user_id = ${caller} AND assignment.is_active))` : owns(caller);
}

// ---- appointments ----

/** Appointments the caller may see, over `appointment` with its `patient` and `doctor`; null: all. */
export function appointmentsVisible(user: AuthUser): Sql | null {
  if (isAdmin(user)) return null;
  const caller = sql.param(user.id);
  return isDoctor(user) ? sql`(${owns(caller)} OR doctor.user_id = ${caller})` : owns(caller);
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
// access until accepted.

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
