import { describe, expect, it } from 'vitest';
import { mapAppointment, mapAssignment, mapDoctor, mapPatient, mapUser } from './django-mapping';

const user = {
  id: 1,
  username: 'alice',
  email: 'alice@example.com',
  password: 'pbkdf2_sha256$1$salt$hash',
  is_superuser: false,
  is_active: true,
};

describe('the mapping of Django rows', () => {
  it('reads booleans and zone-less times as a database converted from SQLite holds them', () => {
    const mapped = mapUser({ ...user, is_superuser: 1, is_active: 0, date_joined: '2024-05-01 10:00:00.123' }, []);
    expect(mapped).toMatchObject({ record: { role: 'admin', isActive: false, dateJoined: new Date('2024-05-01T10:00:00.123Z') } });
    expect(mapAssignment({ id: 1, patient_id: 1, doctor_id: 2, is_active: 'f', assigned_date: '2025-06-01' })).toMatchObject({
      record: { isActive: false, assignedDate: new Date('2025-06-01T00:00:00Z') },
    });
  });

  it('keeps the hash as it is and fills in a missing email with a reserved domain', () => {
    const notes: string[] = [];
    expect(mapUser({ ...user, email: '' }, notes)).toMatchObject({
      record: { email: 'alice@imported.invalid', passwordHash: user.password },
    });
    expect(notes).toEqual(['no email: given alice@imported.invalid']);
    expect(mapUser({ ...user, username: 'Jürgen' }, [])).toEqual({ skip: expect.stringMatching(/not accepted here/) });
  });

  it('joins names, maps genders, contact fields and the specialization codes', () => {
    expect(mapPatient({ id: 1, user_id: 3, first_name: 'Ravi', last_name: 'Kumar', gender: 'M', contact_number: '98' }, [])).toMatchObject({
      record: { name: 'Ravi Kumar', gender: 'male', phone: '98', oldOwnerId: 3 },
    });
    expect(mapDoctor({ id: 1, first_name: 'Anil', last_name: 'Shah', specialization: 'ORTH', experience: 4 }, [])).toMatchObject({
      record: { name: 'Anil Shah', specialization: 'Orthopedics', experienceYears: 4 },
    });
    expect(mapDoctor({ id: 2, name: 'Dr. Free', specialization: 'Sports medicine' }, [])).toMatchObject({
      record: { specialization: 'Sports medicine' },
    });
  });

  it('cuts what does not fit an account column, and says so', () => {
    const notes: string[] = [];
    const mapped = mapUser({ ...user, first_name: 'A'.repeat(100), last_name: 'B'.repeat(100), phone: '1'.repeat(40) }, notes);
    expect(mapped).toMatchObject({ record: { fullName: `${'A'.repeat(100)} ${'B'.repeat(49)}`, phone: '1'.repeat(32) } });
    expect(notes).toEqual(['full name cut to 150 characters', 'phone cut to 32 characters']);
  });

  it('refuses an appointment status it does not know, and keeps a long reason whole in the notes', () => {
    const base = { id: 1, patient_id: 1, doctor_id: 1, appointment_datetime: new Date('2030-01-01T10:00:00Z') };
    expect(mapAppointment({ ...base, status: 'POSTPONED' }, [])).toEqual({ skip: 'status "POSTPONED" unknown' });
    const long = 'x'.repeat(600);
    expect(mapAppointment({ ...base, status: 'COMPLETED', reason: long }, [])).toMatchObject({
      record: { status: 'COMPLETED', reason: long.slice(0, 500), notes: long },
    });
  });
});
