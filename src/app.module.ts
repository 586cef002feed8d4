import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { DestinationStream } from 'pino';
import { AppointmentsModule } from './appointments/appointments.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { JwtAuthGuard } from './core/auth/jwt-auth.guard';
import { RolesGuard } from './core/auth/roles.guard';
import { MfaRequiredGuard } from './core/auth/mfa-required.guard';
import { TokenSignersModule } from './core/auth/token-signers';
import type { AppConfig } from './core/config/app-config';
import { APP_CONFIG, appConfigModule } from './core/config/app-config.provider';
import { DatabaseModule } from './core/database/database.module';
import { ProblemDetailsFilter } from './core/http/problem-details.filter';
import { createValidationPipe } from './core/http/validation.pipe';
import { PageSizePipe } from './core/pagination/page-size.pipe';
import { logDestinationModule, LoggingModule } from './core/logging/logging.module';
import { AppThrottlerGuard, throttlerOptions } from './core/throttling/throttling';
import { RecordsModule } from './core/records/records.module';
import { DoctorsModule } from './doctors/doctors.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { ImportsModule } from './imports/imports.module';
import { MailModule } from './mail/mail.module';
import { AssignmentsModule } from './assignments/assignments.module';
import { ClinicsModule } from './clinics/clinics.module';
import { PatientsModule } from './patients/patients.module';
import { RemindersModule } from './reminders/reminders.module';
import { SchedulesModule } from './schedules/schedules.module';
import { UsersModule } from './users/users.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({
  imports: [
    TokenSignersModule,
    ThrottlerModule.forRootAsync({ inject: [APP_CONFIG], useFactory: (config: AppConfig) => throttlerOptions(config) }),
    LoggingModule,
    DatabaseModule,
    MailModule,
    HealthModule,
    RecordsModule,
    AuditModule,
    JobsModule,
    EventsModule,
    UsersModule,
    AuthModule,
    PatientsModule,
    DoctorsModule,
    AssignmentsModule,
    ClinicsModule,
    SchedulesModule,
    AppointmentsModule,
    RemindersModule,
    ImportsModule,
    WebhooksModule,
  ],
  providers: [
    // Guards run in this order: rate limit, authentication, two-factor requirement, roles.
    { provide: APP_GUARD, useClass: AppThrottlerGuard },
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: MfaRequiredGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    // Pipes run in this order: validation, then the configured page sizes on a validated list query.
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_PIPE, useClass: PageSizePipe },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
  ],
})
export class AppModule {
  static forRoot(config: AppConfig, options: { logDestination?: DestinationStream } = {}): DynamicModule {
    return { module: AppModule, imports: [appConfigModule(config), logDestinationModule(options.logDestination)] };
  }
}
