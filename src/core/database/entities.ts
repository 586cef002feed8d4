import { AppointmentStatusChange } from '../../appointments/appointment-status-change.entity';
import { Appointment } from '../../appointments/appointment.entity';
import { AuditEvent } from '../../audit/audit-event.entity';
import { RefreshToken } from '../../auth/refresh-token.entity';
import { Doctor } from '../../doctors/doctor.entity';
import { Mapping } from '../../mappings/mapping.entity';
import { Patient } from '../../patients/patient.entity';
import { DoctorSchedule } from '../../schedules/doctor-schedule.entity';
import { UserSkeletonsSubscriber } from '../../users/user-skeletons.subscriber';
import { User } from '../../users/user.entity';

/** Every TypeORM entity of the service. */
export const ENTITIES = [User, RefreshToken, Patient, Doctor, Mapping, AuditEvent, DoctorSchedule, Appointment, AppointmentStatusChange];

/** Every TypeORM subscriber of the service. */
export const SUBSCRIBERS = [UserSkeletonsSubscriber];
