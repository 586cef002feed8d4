import { AppointmentStatus } from '../appointments/appointment-status';
import { Role } from '../core/auth/role';
import { specializationName } from '../doctors/specializations';
import { BLOOD_GROUPS, type BloodGroup, type Gender, GENDERS, normalizeGender } from '../patients/patient.enums';
import type { Row } from './django-source';

/**
 * How the Django projects' columns become this service's fields: pure functions of one old row.
 * Each returns the new record, or a reason to skip the row; `notes` collects what was changed on
 * the way (a value this service cannot hold, dropped or adjusted), for the report.
 *
 * The projects' names for one field: contact / contact_number / phone → phone; first_name +
 * last_name → name; owner / created_by / user → the owner; reason / notes /
 * reason_for_assignment → notes; experience → experience_years; gender Male/M/male → male.
 */

export type Mapped<T> = { record: T } | { skip: string };

export interface NewUser {
  username: string;
  email: string;
  /** Django's hash string as stored (`pbkdf2_sha256$…`): login verifies it and replaces it with argon2id. */
  passwordHash: string;
  role: Role;
  isActive: boolean;
  dateJoined: Date | null;
  lastLogin: Date | null;
  phone: string | null;
  fullName: string | null;
}

export interface NewPatient {
  name: string;
  email: string | null;
  phone: string | null;
  dateOfBirth: string | null;
  age: number | null;
  gender: Gender | null;
  bloodGroup: BloodGroup | null;
  address: string | null;
  emergencyContact: string | null;
  medicalHistory: string | null;
  /** The old owner's user id (the caller maps it to the new one). */
  oldOwnerId: number | null;
  createdAt: Date | null;
}

export interface NewDoctor {
  name: string;
  email: string | null;
  phone: string | null;
  specialization: string;
  licenseNumber: string | null;
  experienceYears: number | null;
  consultationFee: string | null;
  address: string | null;
  availability: string | null;
  hospital: string | null;
  oldOwnerId: number | null;
  createdAt: Date | null;
}

export interface NewAssignment {
  oldPatientId: number;
  oldDoctorId: number;
  notes: string | null;
  isActive: boolean;
  assignedDate: Date | null;
  endedAt: Date | null;
  oldOwnerId: number | null;
}

export interface NewAppointment {
  oldPatientId: number;
  oldDoctorId: number;
  appointmentDatetime: Date;
  reason: string | null;
  notes: string | null;
  status: AppointmentStatus;
  oldOwnerId: number | null;
  createdAt: Date | null;
}

const APPOINTMENT_STATUSES: Record<string, AppointmentStatus> = {
  SCHEDULED: AppointmentStatus.Scheduled,
  COMPLETED: AppointmentStatus.Completed,
  CANCELLED: AppointmentStatus.Cancelled,
};

/** The usernames the service accepts (its users_username_format check). */
const USERNAME = /^[A-Za-z0-9@.+_-]{3,150}$/;

/** Trimmed text, or null for null and blank (Django stores an empty optional field as ''). */
function text(value: unknown): string | null {
  const raw = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'bigint' ? String(value) : null;
  if (raw === null) return null;
  const trimmed = raw.trim();
  return trimmed === '' ? null : trimmed;
}

const integer = (value: unknown): number | null => (value === null || value === undefined || value === '' ? null : Number(value));
/** A boolean however a converted SQLite database holds it (true, 1, 't'). */
const flag = (value: unknown): boolean | null =>
  value === null || value === undefined ? null : value === true || value === 1 || value === '1' || value === 't' || value === 'true';
/** A time; one without a zone is UTC, as Django on SQLite stores it. */
function date(value: unknown): Date | null {
  if (value instanceof Date) return value;
  if (typeof value !== 'string' || value === '') return null;
  const zoneless = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(value);
  return new Date(zoneless ? `${value.replace(' ', 'T')}Z` : value);
}
/** The first column of `names` that the row has (even when its value is null). */
const first = (row: Row, ...names: string[]): unknown => row[names.find((name) => name in row) ?? ''];
const joinName = (row: Row) => [text(row.first_name), text(row.last_name)].filter(Boolean).join(' ');

/** Text that must fit a column of `max` characters: longer is cut, and said. */
function fit(value: string | null, max: number, field: string, notes: string[]): string | null {
  if (value === null || value.length <= max) return value;
  notes.push(`${field} cut to ${max} characters`);
  return value.slice(0, max);
}

export const isSuperuser = (row: Row): boolean => flag(row.is_superuser) === true;

export function mapUser(row: Row, notes: string[]): Mapped<NewUser> {
  const username = text(row.username)?.normalize('NFKC') ?? '';
  if (!USERNAME.test(username)) {
    return { skip: `username "${username}" is not accepted here (3 to 150 letters, digits or @ . + _ -, Latin letters only)` };
  }
  let email = text(row.email)?.normalize('NFKC') ?? null;
  if (email === null) {
    // Every account here has an email; `.invalid` is reserved (RFC 2606), so it reaches nobody.
    email = `${username}@imported.invalid`;
    notes.push(`no email: given ${email}`);
  }
  const password = typeof row.password === 'string' ? row.password : '';
  if (password === '') return { skip: 'no password hash' };
  const fullName = fit(text(row.name) ?? (joinName(row) || null), 150, 'full name', notes);
  return {
    record: {
      username,
      email,
      passwordHash: password,
      // Django superusers ran the old project: they are admins here. Seed 002's role is 'patient' or 'doctor'.
      role: flag(row.is_superuser) ? Role.Admin : row.role === 'doctor' ? Role.Doctor : Role.Patient,
      isActive: flag(row.is_active) !== false,
      dateJoined: date(row.date_joined),
      lastLogin: date(row.last_login),
      phone: fit(text(row.phone), 32, 'phone', notes),
      fullName,
    },
  };
}

export function mapPatient(row: Row, notes: string[]): Mapped<NewPatient> {
  const name = fit(text(row.name) ?? (joinName(row) || null), 200, 'name', notes);
  if (name === null) return { skip: 'no name' };
  const gender = normalizeGender(text(row.gender));
  if (gender !== null && !GENDERS.includes(gender as Gender)) notes.push(`gender "${String(row.gender)}" not kept`);
  const bloodGroup = text(row.blood_group)?.toUpperCase() ?? null;
  if (bloodGroup !== null && !BLOOD_GROUPS.includes(bloodGroup as BloodGroup)) notes.push(`blood group "${bloodGroup}" not kept`);
  let age = integer(row.age);
  if (age !== null && !(Number.isInteger(age) && age >= 0 && age <= 150)) {
    notes.push(`age ${age} not kept (0 to 150 here)`);
    age = null;
  }
  return {
    record: {
      name,
      email: text(row.email),
      phone: fit(text(first(row, 'phone', 'contact', 'contact_number')), 32, 'phone', notes),
      dateOfBirth: text(row.date_of_birth),
      age,
      gender: GENDERS.includes(gender as Gender) ? (gender as Gender) : null,
      bloodGroup: BLOOD_GROUPS.includes(bloodGroup as BloodGroup) ? (bloodGroup as BloodGroup) : null,
      address: text(row.address),
      emergencyContact: fit(text(row.emergency_contact), 200, 'emergency_contact', notes),
      medicalHistory: text(row.medical_history),
      oldOwnerId: integer(first(row, 'owner_id', 'created_by_id', 'user_id')),
      createdAt: date(row.created_at),
    },
  };
}

export function mapDoctor(row: Row, notes: string[]): Mapped<NewDoctor> {
  const name = fit(text(row.name) ?? (joinName(row) || null), 200, 'name', notes);
  if (name === null) return { skip: 'no name' };
  const code = text(first(row, 'specialization', 'speciality'));
  const specialization = fit(code === null ? 'Other' : String(specializationName(code)), 100, 'specialization', notes)!;
  let experienceYears = integer(first(row, 'experience_years', 'experience'));
  if (experienceYears !== null && !(Number.isInteger(experienceYears) && experienceYears >= 0 && experienceYears <= 80)) {
    notes.push(`experience ${experienceYears} not kept (0 to 80 years here)`);
    experienceYears = null;
  }
  const fee = text(row.consultation_fee);
  return {
    record: {
      name,
      email: text(row.email),
      phone: fit(text(first(row, 'phone', 'contact', 'contact_number')), 32, 'phone', notes),
      specialization,
      licenseNumber: fit(text(row.license_number), 50, 'license_number', notes),
      experienceYears,
      consultationFee: fee !== null && Number(fee) >= 0 ? fee : null,
      address: text(row.address),
      availability: fit(text(row.availability), 200, 'availability', notes),
      hospital: fit(text(row.hospital), 200, 'hospital', notes),
      oldOwnerId: integer(first(row, 'created_by_id', 'owner_id', 'user_id')),
      createdAt: date(row.created_at),
    },
  };
}

export function mapAssignment(row: Row): Mapped<NewAssignment> {
  const oldPatientId = integer(row.patient_id);
  const oldDoctorId = integer(row.doctor_id);
  if (oldPatientId === null || oldDoctorId === null) return { skip: 'no patient or no doctor' };
  const isActive = flag(row.is_active) !== false;
  const assignedDate = date(first(row, 'assigned_on', 'assigned_at', 'assigned_date', 'created_at'));
  return {
    record: {
      oldPatientId,
      oldDoctorId,
      notes: text(first(row, 'notes', 'reason', 'reason_for_assignment')),
      isActive,
      assignedDate,
      // An inactive one (seed 002's soft delete, 004's flag) ended at its last change, as far as is known.
      endedAt: isActive ? null : (date(row.updated_at) ?? date(row.created_at) ?? assignedDate ?? new Date()),
      oldOwnerId: integer(first(row, 'created_by_id', 'assigned_by_id')),
    },
  };
}

export function mapAppointment(row: Row, notes: string[]): Mapped<NewAppointment> {
  const oldPatientId = integer(row.patient_id);
  const oldDoctorId = integer(row.doctor_id);
  if (oldPatientId === null || oldDoctorId === null) return { skip: 'no patient or no doctor' };
  const start = date(row.appointment_datetime);
  if (start === null || Number.isNaN(start.getTime())) return { skip: 'no appointment time' };
  const status = APPOINTMENT_STATUSES[text(row.status)?.toUpperCase() ?? 'SCHEDULED'];
  if (!status) return { skip: `status "${String(row.status)}" unknown` };
  const reason = text(row.reason);
  // The reason holds 500 characters here; a longer one is kept whole in the notes.
  const long = reason !== null && reason.length > 500;
  if (long) notes.push('reason longer than 500 characters: cut, and kept whole in notes');
  return {
    record: {
      oldPatientId,
      oldDoctorId,
      appointmentDatetime: start,
      reason: long ? reason.slice(0, 500) : reason,
      notes: long ? reason : null,
      status,
      oldOwnerId: integer(row.created_by_id),
      createdAt: date(row.created_at),
    },
  };
}
