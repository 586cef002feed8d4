import { Foundation1795586939184 } from './1795586939184-Foundation';
import { ClinicalRecords1795587440627 } from './1795587440627-ClinicalRecords';
import { Appointments1795587739264 } from './1795587739264-Appointments';
import { OwnerScopedPatientSearch1795600000000 } from './1795600000000-OwnerScopedPatientSearch';
import { OwnerSearchKeys1795700000000 } from './1795700000000-OwnerSearchKeys';
import { UserChangeNotifications1795800000000 } from './1795800000000-UserChangeNotifications';
import { AccountNameSkeletons1795900000000 } from './1795900000000-AccountNameSkeletons';
import { DoctorHospital1796000000000 } from './1796000000000-DoctorHospital';
import { AccountPhoneAndName1796100000000 } from './1796100000000-AccountPhoneAndName';
import { DjangoImports1796200000000 } from './1796200000000-DjangoImports';
import { AccountSessions1796400000000 } from './1796400000000-AccountSessions';
import { PasswordResets1796500000000 } from './1796500000000-PasswordResets';
import { LoginLockout1796600000000 } from './1796600000000-LoginLockout';
import { TotpSecondFactor1796700000000 } from './1796700000000-TotpSecondFactor';
import { EmailVerification1796800000000 } from './1796800000000-EmailVerification';
import { Clinics1796900000000 } from './1796900000000-Clinics';
import { ClinicRecords1797000000000 } from './1797000000000-ClinicRecords';
import { EventOutbox1797100000000 } from './1797100000000-EventOutbox';
import { Webhooks1797200000000 } from './1797200000000-Webhooks';
import { AppointmentReminders1797300000000 } from './1797300000000-AppointmentReminders';

/** Every migration, oldest first. A test fails when a file in this folder is missing here. */
export const MIGRATIONS = [
  Foundation1795586939184,
  ClinicalRecords1795587440627,
  Appointments1795587739264,
  OwnerScopedPatientSearch1795600000000,
  OwnerSearchKeys1795700000000,
  UserChangeNotifications1795800000000,
  AccountNameSkeletons1795900000000,
  DoctorHospital1796000000000,
  AccountPhoneAndName1796100000000,
  DjangoImports1796200000000,
  AccountSessions1796400000000,
  PasswordResets1796500000000,
  LoginLockout1796600000000,
  TotpSecondFactor1796700000000,
  EmailVerification1796800000000,
  Clinics1796900000000,
  ClinicRecords1797000000000,
  EventOutbox1797100000000,
  Webhooks1797200000000,
  AppointmentReminders1797300000000,
];
