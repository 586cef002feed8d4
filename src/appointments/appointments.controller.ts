import { Body, Controller, Delete, Get, Headers, HttpCode, HttpStatus, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../core/auth/auth-user';
import { CurrentUser } from '../core/auth/decorators';
import { ParseIdPipe } from '../core/http/id';
import { CreatedLocation } from '../core/http/location';
import { ApiIdParam } from '../core/openapi/decorators';
import { ChangesRecord, CreatesRecord, DeletesRecord, ReadsRecord } from '../core/openapi/routes';
import { Page, Paginated } from '../core/pagination/pagination';
import { AppointmentsService } from './appointments.service';
import { AvailabilityService } from './availability.service';
import { AppointmentDto, StatusChangeDto } from './dto/appointment.dto';
import { CreateAppointmentDto } from './dto/create-appointment.dto';
import { ListAppointmentsQuery } from './dto/list-appointments.query';
import { SlotDto, SlotsQuery } from './dto/slots.query';
import { ReplaceAppointmentDto } from './dto/replace-appointment.dto';
import { UpdateAppointmentDto } from './dto/update-appointment.dto';

const NOT_VISIBLE = "No such appointment among the caller's (those of its patients, or of its doctor profile).";
const PATIENT_SIDE =
  "COMPLETED and NO_SHOW are for the appointment's doctor or an admin to set, and the patient side may change only a SCHEDULED appointment.";

@ApiTags('appointments')
@Controller('appointments')
export class AppointmentsController {
  constructor(private readonly appointments: AppointmentsService) {}

  /**
   * Book an appointment.
   * @remarks For one of the caller's patients (admins: any), with any doctor. The start must be in the future, within the booking horizon (`BOOKING_HORIZON_DAYS`, 365 days by default), and carry a time zone; it is stored and returned in UTC. A patient may have at most `MAX_UPCOMING_APPOINTMENTS_PER_PATIENT` (10 by default) active appointments starting in the future; the cap holds for simultaneous bookings too. When the doctor has a weekly schedule the appointment must fall within an opening. An appointment overlapping an active (SCHEDULED or CHECKED_IN) appointment of the same doctor or the same patient is refused: two PostgreSQL exclusion constraints decide, so this holds for simultaneous requests and across service instances. Back-to-back appointments are fine.
   */
  @Post()
  @CreatesRecord(AppointmentDto, {
    description: 'The new appointment, SCHEDULED.',
    badRequest:
      "Invalid fields, no such doctor, a start in the past or beyond the booking horizon, or a time outside the doctor's schedule (named in `errors`).",
    notFound: "No such patient among the caller's.",
    forbidden: 'An assigned doctor may read the patient but only its owner or an admin may book for it.',
    conflict:
      'The doctor or the patient already has an appointment at this time, or the patient has the most upcoming appointments allowed.',
  })
  @CreatedLocation('/api/appointments/{id}/')
  createAppointment(@Body() dto: CreateAppointmentDto, @CurrentUser() user: AuthUser): Promise<AppointmentDto> {
    return this.appointments.create(dto, user);
  }

  /**
   * List appointments.
   * @remarks The appointments of the caller's patients, and for a doctor account those of its doctor profile; admins see all. Ordered by start. Filter with `doctor`, `patient`, `status`, `from` and `to`.
   */
  @Get()
  @Paginated(AppointmentDto)
  listAppointments(@Query() query: ListAppointmentsQuery, @CurrentUser() user: AuthUser): Promise<Page<AppointmentDto>> {
    return this.appointments.list(query, user);
  }

  /**
   * Get one appointment.
   * @remarks With summaries of its doctor and patient.
   */
  @Get(':id')
  @ReadsRecord(AppointmentDto, { id: 'Appointment id.', description: 'The appointment.', notFound: NOT_VISIBLE })
  getAppointment(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<AppointmentDto> {
    return this.appointments.get(id, user);
  }

  /**
   * Get an appointment's status history.
   * @remarks Every status change, oldest first, from the booking (`from: null`) on: from, to, who and when.
   */
  @Get(':id/history')
  @ApiIdParam('id', 'Appointment id.')
  @ApiOkResponse({ type: [StatusChangeDto], description: 'The status changes, oldest first.' })
  @ApiNotFoundResponse({ description: NOT_VISIBLE })
  getAppointmentHistory(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<StatusChangeDto[]> {
    return this.appointments.history(id, user);
  }

  /**
   * Change an appointment: move its status forward, reschedule it, or change its reason or notes.
   * @remarks Status moves only forward: SCHEDULED → CHECKED_IN, COMPLETED, CANCELLED or NO_SHOW; CHECKED_IN → COMPLETED or CANCELLED. A COMPLETED, CANCELLED or NO_SHOW appointment cannot change. Only a SCHEDULED appointment can be rescheduled, and the new time is checked for overlaps, the booking horizon, the schedule and the patient's cap on upcoming appointments again. Send the `ETag` last read as `If-Match` to refuse the write (412) when someone changed the appointment since.
   */
  @Patch(':id')
  @ChangesRecord(AppointmentDto, {
    id: 'Appointment id.',
    description: 'The appointment as changed.',
    badRequest:
      "Invalid fields, a new start in the past or beyond the booking horizon, or a time outside the doctor's schedule (named in `errors`).",
    notFound: NOT_VISIBLE,
    forbidden: PATIENT_SIDE,
    conflict:
      'Not a forward status move, the appointment is final or not SCHEDULED to be moved, the new time overlaps another, or it would give the patient more upcoming appointments than allowed.',
  })
  updateAppointment(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: UpdateAppointmentDto,
    @CurrentUser() user: AuthUser,
    @Headers('If-Match') ifMatch?: string,
  ): Promise<AppointmentDto> {
    return this.appointments.update(id, dto, user, ifMatch);
  }

  /**
   * Replace an appointment: the full set of its writable fields.
   * @remarks The same rules as `PATCH` apply to the values that differ from the appointment's: a value sent back unchanged is no change, so an appointment read and sent back as it was answers 200 even once it is final. `doctor`, `patient` and `appointment_datetime` are required, as on booking; `doctor` and `patient` must be the appointment's own. Fields left out keep their values. Send the `ETag` last read as `If-Match` to refuse the write (412) when someone changed the appointment since.
   */
  @Put(':id')
  @ChangesRecord(AppointmentDto, {
    id: 'Appointment id.',
    description: 'The appointment as replaced.',
    badRequest:
      "Invalid or missing fields, another doctor or patient than the appointment's, a new start in the past or beyond the booking horizon, or a time outside the doctor's schedule (named in `errors`).",
    notFound: NOT_VISIBLE,
    forbidden: PATIENT_SIDE,
    conflict:
      'Not a forward status move, the appointment is final or not SCHEDULED to be moved, the new time overlaps another, or it would give the patient more upcoming appointments than allowed.',
  })
  replaceAppointment(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: ReplaceAppointmentDto,
    @CurrentUser() user: AuthUser,
    @Headers('If-Match') ifMatch?: string,
  ): Promise<AppointmentDto> {
    return this.appointments.replace(id, dto, user, ifMatch);
  }

  /**
   * Cancel an appointment.
   * @remarks The appointment is kept as CANCELLED and its time is free again. Cancelling a cancelled appointment changes nothing.
   */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @DeletesRecord({
    id: 'Appointment id.',
    description: 'The appointment is cancelled.',
    notFound: NOT_VISIBLE,
    forbidden: 'The patient side may cancel only a SCHEDULED appointment.',
    conflict: 'The appointment is COMPLETED or a NO_SHOW.',
  })
  deleteAppointment(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<void> {
    return this.appointments.cancel(id, user);
  }
}

@ApiTags('doctors')
@Controller('doctors')
export class AvailabilityController {
  constructor(private readonly availability: AvailabilityService) {}

  /**
   * List a doctor's free slots.
   * @remarks On one day (`date`) or a range of days (`from` and `to`, at most 31), in the doctor's time zone: the weekly schedule cut into `slot_minutes` steps of the doctor's wall-clock time, minus active appointments, future slots only and none beyond the booking horizon. A 09:00 opening stays 09:00 local across daylight-saving changes, and wall times skipped by a change are not offered.
   */
  @Get(':id/slots')
  @ApiIdParam('id', 'Doctor id.')
  @ApiOkResponse({ type: [SlotDto], description: 'The free slots, in order.' })
  @ApiBadRequestResponse({ description: 'Neither a valid `date` nor a valid `from` and `to` range of at most 31 days.' })
  @ApiNotFoundResponse({ description: 'No such doctor, or it has no schedule (then any time can be booked).' })
  listDoctorSlots(@Param('id', ParseIdPipe) id: number, @Query() query: SlotsQuery): Promise<SlotDto[]> {
    return this.availability.freeSlots(id, query);
  }
}
