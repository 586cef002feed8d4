import type { DataSourceOptions } from 'typeorm';
import { AppointmentStatusChange } from './appointments/appointment-status-change.entity';
import { Appointment } from './appointments/appointment.entity';
import { AuditEvent } from './audit/audit-event.entity';
import { RefreshToken } from './auth/refresh-token.entity';
import { EmailVerification } from './auth/email-verification.entity';
import { AppointmentReminder } from './reminders/appointment-reminder.entity';
import { PasswordResetToken } from './auth/password-reset-token.entity';
import { MfaRecoveryCode } from './auth/mfa/mfa-recovery-code.entity';
import { Session } from './auth/session.entity';
import { dataSourceOptions, DatabaseTimeouts } from './core/database/data-source-options';
import { Doctor } from './doctors/doctor.entity';
import { DomainEventRecord } from './events/event.entity';
import { DjangoImport } from './imports/django-import.entity';
import { Assignment } from './assignments/assignment.entity';
import { ClinicMember } from './clinics/clinic-member.entity';
import { Clinic } from './clinics/clinic.entity';
import { Patient } from './patients/patient.entity';
import { DoctorSchedule } from './schedules/doctor-schedule.entity';
import { UserSkeletonsSubscriber } from './users/user-skeletons.subscriber';
import { User } from './users/user.entity';
import { WebhookDelivery } from './webhooks/webhook-delivery.entity';
import { WebhookEndpoint } from './webhooks/webhook-endpoint.entity';

/*
 * The application registers each feature's entities in its own module (TypeOrmModule.forFeature,
 * loaded by autoLoadEntities) and its subscribers there too. Data sources built outside the
 * application (the TypeORM CLI, the scripts, the tests) take them from this one list instead; a
 * test checks that it names exactly what the application loads.
 */

/** Every TypeORM entity of the service. */
export const ENTITIES = [
  User,
  Session,
  RefreshToken,
  PasswordResetToken,
  EmailVerification,
  MfaRecoveryCode,
  Patient,
  Doctor,
  Assignment,
  AuditEvent,
  DoctorSchedule,
  Appointment,
  AppointmentStatusChange,
  DjangoImport,
  Clinic,
  ClinicMember,
  DomainEventRecord,
  AppointmentReminder,
  WebhookEndpoint,
  WebhookDelivery,
];

/** Every TypeORM subscriber of the service. */
export const SUBSCRIBERS = [UserSkeletonsSubscriber];

/** `dataSourceOptions` with every entity and subscriber, for a data source outside the application. */
export function standaloneDataSourceOptions(url: string, poolSize?: number, timeouts?: DatabaseTimeouts): DataSourceOptions {
  return { ...dataSourceOptions(url, poolSize, timeouts), entities: ENTITIES, subscribers: SUBSCRIBERS };
}
