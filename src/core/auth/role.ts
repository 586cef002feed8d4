export enum Role {
  Patient = 'patient',
  Doctor = 'doctor',
  Admin = 'admin',
}

export const ROLES = Object.values(Role);
