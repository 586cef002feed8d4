import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DoctorsModule } from '../doctors/doctors.module';
import { PatientsModule } from '../patients/patients.module';
import { SchedulesModule } from '../schedules/schedules.module';
import { AppointmentStatusChange } from './appointment-status-change.entity';
import { Appointment } from './appointment.entity';
import { AppointmentsController, AvailabilityController } from './appointments.controller';
import { AppointmentsRepository } from './appointments.repository';
import { AppointmentsService } from './appointments.service';
import { AvailabilityService } from './availability.service';

@Module({
  imports: [TypeOrmModule.forFeature([Appointment, AppointmentStatusChange]), PatientsModule, DoctorsModule, SchedulesModule],
  controllers: [AppointmentsController, AvailabilityController],
  providers: [AppointmentsService, AvailabilityService, AppointmentsRepository],
  exports: [AppointmentsService],
})
export class AppointmentsModule {}
