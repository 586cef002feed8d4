import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppointmentsModule } from '../appointments/appointments.module';
import { AppointmentReminder } from './appointment-reminder.entity';
import { RemindersController } from './reminders.controller';
import { RemindersRepository } from './reminders.repository';
import { RemindersService } from './reminders.service';

/** Reminder mails of appointments: planned from the appointments' events, sent by the job queue's workers. */
@Module({
  imports: [TypeOrmModule.forFeature([AppointmentReminder]), AppointmentsModule],
  controllers: [RemindersController],
  providers: [RemindersService, RemindersRepository],
})
export class RemindersModule {}
