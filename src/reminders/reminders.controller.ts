import { Controller, Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../core/auth/auth-user';
import { CurrentUser } from '../core/auth/decorators';
import { ParseIdPipe } from '../core/http/id';
import { ApiIdParam } from '../core/openapi/decorators';
import { ReminderDto } from './dto/reminder.dto';
import { RemindersService } from './reminders.service';

@ApiTags('appointments')
@Controller('appointments')
export class RemindersController {
  constructor(private readonly reminders: RemindersService) {}

  /**
   * Get an appointment's reminders.
   * @remarks The reminder mails to its patient, planned and past, in the order they were planned: one per `REMINDER_LEAD` whose time was still ahead when the appointment was booked or moved, for a patient with an email. Moving the appointment cancels the planned ones and plans those of the new time; leaving SCHEDULED cancels them. Each is sent at most once.
   */
  @Get(':id/reminders')
  @ApiIdParam('id', 'Appointment id.')
  @ApiOkResponse({ type: [ReminderDto], description: 'The reminders, in the order they were planned.' })
  @ApiNotFoundResponse({ description: "No such appointment among the caller's (those of its patients, or of its doctor profile)." })
  getAppointmentReminders(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<ReminderDto[]> {
    return this.reminders.list(id, user);
  }
}
