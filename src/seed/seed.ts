/**
 * Realistic sample data for a demonstration or a manual test (`npm run seed`, scripts/seed.ts):
 * an admin, doctors of several specializations with weekly schedules, patient accounts with
 * their patients, doctor assignments and upcoming appointments. Everything goes through the services, with
 * their rules, constraints and audit trail.
 *
 * Idempotent: every record is looked up by its natural key (username, linked account, owner and
 * name, patient and doctor) and only created when missing, so a second run changes nothing.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Appointment } from '../appointments/appointment.entity';
import { AppointmentsService } from '../appointments/appointments.service';
import { AvailabilityService } from '../appointments/availability.service';
import { hashPassword, passwordProblems } from '../auth/passwords';
import type { AppConfig } from '../core/config/app-config';
import { APP_CONFIG } from '../core/config/app-config.provider';
import { ConflictError } from '../core/errors';
import type { AuthUser } from '../core/auth/auth-user';
import { Doctor } from '../doctors/doctor.entity';
import { DoctorsService } from '../doctors/doctors.service';
import { Assignment } from '../assignments/assignment.entity';
import { AssignmentsService } from '../assignments/assignments.service';
import { Patient } from '../patients/patient.entity';
import type { BloodGroup, Gender } from '../patients/patient.enums';
import { PatientsService } from '../patients/patients.service';
import { DoctorSchedule } from '../schedules/doctor-schedule.entity';
import { SchedulesService } from '../schedules/schedules.service';
import { Role } from '../core/auth/role';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';

/** The password of the sample accounts outside production, when SEED_PASSWORD is not set. */
export const DEFAULT_SEED_PASSWORD = 'Sample-Clinic-2030';

const TIMEZONE = 'Europe/London';
const WEEKDAYS = [0, 1, 2, 3, 4];

interface SampleDoctor {
  username: string;
  name: string;
  specialization: string;
  license: string;
  experience: number;
  fee: string;
  slotMinutes: number;
  /** Daily openings, Monday to Friday. */
  hours: [string, string][];
}

export const DOCTORS: SampleDoctor[] = [
  {
    username: 'dr.okafor',
    name: 'Dr. Amara Okafor',
    specialization: 'Cardiology',
    license: 'GMC-4821937',
    experience: 18,
    fee: '180.00',
    slotMinutes: 30,
    hours: [
      ['09:00', '12:30'],
      ['13:30', '17:00'],
    ],
  },
  {
    username: 'dr.lindqvist',
    name: 'Dr. Erik Lindqvist',
    specialization: 'Dermatology',
    license: 'GMC-5730211',
    experience: 9,
    fee: '120.00',
    slotMinutes: 20,
    hours: [['10:00', '16:00']],
  },
  {
    username: 'dr.haddad',
    name: 'Dr. Leila Haddad',
    specialization: 'Pediatrics',
    license: 'GMC-6104582',
    experience: 12,
    fee: '95.00',
    slotMinutes: 20,
    hours: [
      ['08:30', '12:00'],
      ['13:00', '15:30'],
    ],
  },
  {
    username: 'dr.mensah',
    name: 'Dr. Kwame Mensah',
    specialization: 'General Practice',
    license: 'GMC-3398410',
    experience: 22,
    fee: '65.00',
    slotMinutes: 15,
    hours: [
      ['08:00', '12:00'],
      ['14:00', '18:00'],
    ],
  },
  {
    username: 'dr.tanaka',
    name: 'Dr. Yuki Tanaka',
    specialization: 'Neurology',
    license: 'GMC-7012259',
    experience: 14,
    fee: '210.00',
    slotMinutes: 45,
    hours: [['09:30', '15:30']],
  },
  {
    username: 'dr.novak',
    name: 'Dr. Petra Novak',
    specialization: 'Orthopedics',
    license: 'GMC-2287164',
    experience: 7,
    fee: '150.00',
    slotMinutes: 30,
    hours: [['12:00', '19:00']],
  },
];

interface SamplePatient {
  name: string;
  date_of_birth: string;
  gender: Gender;
  blood_group: BloodGroup;
  phone: string;
  email?: string;
  address: string;
  emergency_contact: string;
  medical_history: string;
  /** Usernames of the doctors assigned, each with an upcoming appointment. */
  doctors: { username: string; reason: string }[];
}

/** Patient-role accounts and the patients each manages (a parent books for the family). */
export const OWNERS: { username: string; email: string; patients: SamplePatient[] }[] = [
  {
    username: 'maria.garcia',
    email: 'maria.garcia@mail.example',
    patients: [
      {
        name: 'Maria Garcia',
        date_of_birth: '1984-03-14',
        gender: 'female',
        blood_group: 'A+',
        phone: '+44 20 7946 0101',
        email: 'maria.garcia@mail.example',
        address: '12 Elm Row, London N1 7AA',
        emergency_contact: 'Javier Garcia, +44 20 7946 0102',
        medical_history: 'Mild hypertension since 2019, on amlodipine 5 mg. Penicillin allergy.',
        doctors: [
          { username: 'dr.okafor', reason: 'Blood pressure review' },
          { username: 'dr.mensah', reason: 'Annual check-up' },
        ],
      },
      {
        name: 'Lucas Garcia',
        date_of_birth: '2016-09-02',
        gender: 'male',
        blood_group: 'O+',
        phone: '+44 20 7946 0101',
        address: '12 Elm Row, London N1 7AA',
        emergency_contact: 'Maria Garcia, +44 20 7946 0101',
        medical_history: 'Asthma, salbutamol inhaler as needed.',
        doctors: [{ username: 'dr.haddad', reason: 'Asthma follow-up' }],
      },
    ],
  },
  {
    username: 'james.wilson',
    email: 'james.wilson@mail.example',
    patients: [
      {
        name: 'James Wilson',
        date_of_birth: '1957-11-23',
        gender: 'male',
        blood_group: 'B-',
        phone: '+44 161 496 0733',
        email: 'james.wilson@mail.example',
        address: '4 Canal Street, Manchester M1 3HE',
        emergency_contact: 'Susan Wilson, +44 161 496 0734',
        medical_history: 'Type 2 diabetes (metformin). Right knee replacement 2021. Occasional migraines.',
        doctors: [
          { username: 'dr.novak', reason: 'Knee pain after exercise' },
          { username: 'dr.tanaka', reason: 'Recurring migraines' },
        ],
      },
    ],
  },
  {
    username: 'li.wei',
    email: 'li.wei@mail.example',
    patients: [
      {
        name: 'Li Wei',
        date_of_birth: '1991-06-30',
        gender: 'female',
        blood_group: 'AB+',
        phone: '+44 131 496 0277',
        email: 'li.wei@mail.example',
        address: '88 Leith Walk, Edinburgh EH6 5HB',
        emergency_contact: 'Chen Wei, +44 131 496 0278',
        medical_history: 'Eczema on both hands; no known drug allergies.',
        doctors: [{ username: 'dr.lindqvist', reason: 'Eczema flare-up' }],
      },
      {
        name: 'Chen Wei',
        date_of_birth: '1989-01-17',
        gender: 'male',
        blood_group: 'O-',
        phone: '+44 131 496 0278',
        address: '88 Leith Walk, Edinburgh EH6 5HB',
        emergency_contact: 'Li Wei, +44 131 496 0277',
        medical_history: 'Palpitations reported in March; ECG normal.',
        doctors: [
          { username: 'dr.okafor', reason: 'Palpitations, Holter results' },
          { username: 'dr.mensah', reason: 'Vaccination' },
        ],
      },
    ],
  },
];

export const ADMIN = { username: 'admin', email: 'admin@clinic.example' };

/** What a run created: all zeros on a second run. */
export interface SeedSummary {
  users: number;
  doctors: number;
  schedules: number;
  patients: number;
  mappings: number;
  appointments: number;
}

/** Creates whatever sample data is missing, through the services of `app`. */
export async function seed(app: INestApplicationContext, password: string): Promise<SeedSummary> {
  const db = app.get(DataSource);
  const created: SeedSummary = { users: 0, doctors: 0, schedules: 0, patients: 0, mappings: 0, appointments: 0 };
  const asCaller = (user: User): AuthUser => ({ id: user.id, username: user.username, role: user.role });

  const users = app.get(UsersService);
  const minScore = app.get<AppConfig>(APP_CONFIG).passwordMinScore;
  const account = async (username: string, email: string, role: Role): Promise<User> => {
    const existing = await db.getRepository(User).findOneBy({ username });
    if (existing) return existing;
    const problems = await passwordProblems(password, { username, email }, minScore);
    if (problems.length > 0) throw new Error(`SEED_PASSWORD is not acceptable for ${username}: ${problems.join(' ')}`);
    created.users++;
    return users.create({ username, email, passwordHash: await hashPassword(password), role });
  };

  await account(ADMIN.username, ADMIN.email, Role.Admin);

  const doctorsByUsername = new Map<string, { account: User; profile: Doctor }>();
  for (const sample of DOCTORS) {
    const doctorAccount = await account(sample.username, `${sample.username}@clinic.example`, Role.Doctor);
    let profile = await db.getRepository(Doctor).findOneBy({ userId: doctorAccount.id });
    if (!profile) {
      // Created by the doctor's own account, which links the profile to it.
      const dto = await app.get(DoctorsService).create(
        {
          name: sample.name,
          specialization: sample.specialization,
          email: `${sample.username}@clinic.example`,
          phone: `+44 20 7946 ${String(1000 + DOCTORS.indexOf(sample) * 37).padStart(4, '0')}`,
          license_number: sample.license,
          experience_years: sample.experience,
          consultation_fee: sample.fee,
          address: 'Riverside Clinic, 1 Thames Walk, London SE1 9PX',
          availability: `Mon-Fri ${sample.hours.map(([start, end]) => `${start}-${end}`).join(', ')}`,
        },
        asCaller(doctorAccount),
      );
      created.doctors++;
      profile = await db.getRepository(Doctor).findOneByOrFail({ id: dto.id });
    }
    if (!(await db.getRepository(DoctorSchedule).existsBy({ doctorId: profile.id }))) {
      await app.get(SchedulesService).put(
        profile.id,
        {
          timezone: TIMEZONE,
          slot_minutes: sample.slotMinutes,
          entries: WEEKDAYS.flatMap((weekday) => sample.hours.map(([start, end]) => ({ weekday, start, end }))),
        },
        asCaller(doctorAccount),
      );
      created.schedules++;
    }
    doctorsByUsername.set(sample.username, { account: doctorAccount, profile });
  }

  let booked = 0;
  for (const owner of OWNERS) {
    const ownerAccount = await account(owner.username, owner.email, Role.Patient);
    const caller = asCaller(ownerAccount);
    for (const sample of owner.patients) {
      const { doctors, ...fields } = sample;
      let patient = await db.getRepository(Patient).findOneBy({ createdById: ownerAccount.id, name: sample.name });
      if (!patient) {
        const dto = await app.get(PatientsService).create(fields, caller);
        created.patients++;
        patient = await db.getRepository(Patient).findOneByOrFail({ id: dto.id });
      }
      for (const { username, reason } of doctors) {
        const doctor = doctorsByUsername.get(username)!.profile;
        if (!(await db.getRepository(Assignment).existsBy({ patientId: patient.id, doctorId: doctor.id }))) {
          await app.get(AssignmentsService).create({ patient: patient.id, doctor: doctor.id, notes: reason }, caller);
          created.mappings++;
        }
        if (!(await db.getRepository(Appointment).existsBy({ patientId: patient.id, doctorId: doctor.id }))) {
          // Spread over the coming days rather than all tomorrow morning.
          await bookFirstFreeSlot(app, caller, patient.id, doctor.id, reason, 1 + (booked++ % 7) * 2);
          created.appointments++;
        }
      }
    }
  }
  return created;
}

/** Books the doctor's earliest free slot, `inDays` days from now or later, that the patient is also free for. */
async function bookFirstFreeSlot(
  app: INestApplicationContext,
  caller: AuthUser,
  patient: number,
  doctor: number,
  reason: string,
  inDays: number,
): Promise<void> {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const slots = await app.get(AvailabilityService).freeSlots(doctor, { from: day(inDays), to: day(inDays + 21) });
  for (const slot of slots) {
    try {
      await app.get(AppointmentsService).create({ doctor, patient, appointment_datetime: slot.start, reason }, caller);
      return;
    } catch (error) {
      // The patient already has another appointment then: try the next slot.
      if (!(error instanceof ConflictError) && !/already has an appointment/.test(String(error))) throw error;
    }
  }
  throw new Error(`No free slot found for patient ${patient} with doctor ${doctor} in the next three weeks`);
}
