import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ParseIdPipe } from '../core/http/id';
import { ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../core/auth/auth-user';
import { CurrentUser } from '../core/auth/decorators';
import { WithETag } from '../core/http/etag';
import { PutScheduleDto, ScheduleDto } from './dto/schedule.dto';
import { SchedulesService } from './schedules.service';

@ApiTags('doctors')
@Controller('doctors')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  /** A doctor's weekly schedule. */
  @Get(':id/schedule')
  @WithETag()
  @ApiOkResponse({ type: ScheduleDto })
  @ApiNotFoundResponse({ description: 'No such doctor, or it has no schedule.' })
  getDoctorSchedule(@Param('id', ParseIdPipe) id: number): Promise<ScheduleDto> {
    return this.schedules.get(id);
  }

  /**
   * Set a doctor's weekly schedule (replaces the previous one).
   * @remarks Only the doctor's creator, its linked account or an admin. Bookings must then fall within an opening.
   */
  @Put(':id/schedule')
  @WithETag()
  @ApiOkResponse({ type: ScheduleDto })
  @ApiNotFoundResponse()
  @ApiForbiddenResponse()
  putDoctorSchedule(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: PutScheduleDto,
    @CurrentUser() user: AuthUser,
  ): Promise<ScheduleDto> {
    return this.schedules.put(id, dto, user);
  }
}
