import { Body, Controller, Delete, Get, Headers, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ParseIdPipe } from '../core/http/id';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AuthUser } from '../core/auth/auth-user';
import { CurrentUser } from '../core/auth/decorators';
import { AcceptsIfMatch, WithETag } from '../core/http/etag';
import { Page, Paginated } from '../core/pagination/pagination';
import { AppointmentsService } from './appointments.service';
import { AvailabilityService } from './availability.service';
import { AppointmentDto, StatusChangeDto } from './dto/appointment.dto';
import { CreateAppointmentDto } from './dto/create-appointment.dto';
import { ListAppointmentsQuery } from './dto/list-appointments.query';
import { SlotDto, SlotsQuery } from './dto/slots.query';
import { UpdateAppointmentDto } from './dto/update-appointment.dto';

@ApiTags('appointments')
@Controller('appointments')
export class AppointmentsController {
  constructor(private readonly appointments: AppointmentsService) {}

  /**
   * Book an appointment for one of the caller's patients.
   * @remarks Refused with 409 when the doctor or the patient already has an active appointment overlapping it.
   */
  @Post()
  @WithETag()
  @ApiCreatedResponse({ type: AppointmentDto })
  @ApiBadRequestResponse({ description: "Invalid fields, no such doctor, a start in the past, or outside the doctor's schedule." })
  @ApiNotFoundResponse({ description: "No such patient among the caller's." })
  @ApiConflictResponse({ description: 'The doctor or the patient already has an appointment at this time.' })
  createAppointment(@Body() dto: CreateAppointmentDto, @CurrentUser() user: AuthUser): Promise<AppointmentDto> {
    return this.appointments.create(dto, user);
  }

  /** List appointments of the caller's patients, and for a doctor account its own; admins see all. */
  @Get()
  @Paginated(AppointmentDto)
  listAppointments(@Query() query: ListAppointmentsQuery, @CurrentUser() user: AuthUser): Promise<Page<AppointmentDto>> {
    return this.appointments.list(query, user);
  }

  /** Get one appointment. */
  @Get(':id')
  @WithETag()
  @ApiOkResponse({ type: AppointmentDto })
  @ApiNotFoundResponse()
  getAppointment(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<AppointmentDto> {
    return this.appointments.get(id, user);
  }

  /** The appointment's status changes, oldest first. */
  @Get(':id/history')
  @ApiOkResponse({ type: [StatusChangeDto] })
  @ApiNotFoundResponse()
  getAppointmentHistory(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<StatusChangeDto[]> {
    return this.appointments.history(id, user);
  }

  /** Move the status forward, reschedule, or change the reason or notes. */
  @Patch(':id')
  @WithETag()
  @AcceptsIfMatch()
  @ApiOkResponse({ type: AppointmentDto })
  @ApiNotFoundResponse()
  @ApiForbiddenResponse({ description: "COMPLETED and NO_SHOW are the doctor's or an admin's to set." })
  @ApiConflictResponse({ description: 'Not a forward status move, the appointment is final, or the new time overlaps another.' })
  updateAppointment(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: UpdateAppointmentDto,
    @CurrentUser() user: AuthUser,
    @Headers('if-match') ifMatch?: string,
  ): Promise<AppointmentDto> {
    return this.appointments.update(id, dto, user, ifMatch);
  }

  /** Cancel an appointment; it is kept as CANCELLED and its time is free again. */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'The appointment is completed or a no-show.' })
  deleteAppointment(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<void> {
    return this.appointments.cancel(id, user);
  }
}

@ApiTags('doctors')
@Controller('doctors')
export class AvailabilityController {
  constructor(private readonly availability: AvailabilityService) {}

  /**
   * A doctor's free slots on a day (`date`) or a range of days (`from`, `to`; at most 31).
   * @remarks Computed from the weekly schedule in the doctor's time zone, minus active appointments; future slots only.
   */
  @Get(':id/slots')
  @ApiOkResponse({ type: [SlotDto] })
  @ApiNotFoundResponse({ description: 'No such doctor, or it has no schedule.' })
  listDoctorSlots(@Param('id', ParseIdPipe) id: number, @Query() query: SlotsQuery): Promise<SlotDto[]> {
    return this.availability.freeSlots(id, query);
  }
}
