import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../core/auth/auth-user';
import { CurrentUser } from '../core/auth/decorators';
import { WithETag } from '../core/http/etag';
import { ParseIdPipe } from '../core/http/id';
import { ApiIdParam } from '../core/openapi/decorators';
import { ReadsRecord } from '../core/openapi/routes';
import { PutScheduleDto, ScheduleDto } from './dto/schedule.dto';
import { SchedulesService } from './schedules.service';

@ApiTags('doctors')
@Controller('doctors')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  /**
   * Get a doctor's weekly schedule.
   * @remarks Everyone may read it. A doctor without a schedule accepts bookings at any time.
   */
  @Get(':id/schedule')
  @ReadsRecord(ScheduleDto, { id: 'Doctor id.', description: 'The weekly schedule.', notFound: 'No such doctor, or it has no schedule.' })
  getDoctorSchedule(@Param('id', ParseIdPipe) id: number): Promise<ScheduleDto> {
    return this.schedules.get(id);
  }

  /**
   * Set a doctor's weekly schedule.
   * @remarks Replaces the previous schedule. A linked profile's only its account or an admin, an unlinked one's only its creator or an admin, a clinic's profile's its managers too. Openings are local `HH:MM` times in an IANA time zone, the clinic's when none is named (a doctor of no clinic must name one); several a day make breaks, and they may not overlap. From then on bookings must fall within an opening; existing appointments are kept.
   */
  @Put(':id/schedule')
  @WithETag()
  @ApiIdParam('id', 'Doctor id.')
  @ApiOkResponse({ type: ScheduleDto, description: 'The schedule as set.' })
  @ApiBadRequestResponse({
    description: 'Invalid fields, an unknown time zone, or openings that end before they start or overlap (named in `errors`).',
  })
  @ApiNotFoundResponse({ description: 'No doctor with this id in the directory.' })
  @ApiForbiddenResponse({
    description: "Only a linked profile's account or an admin, or an unlinked profile's creator or an admin, may set it.",
  })
  putDoctorSchedule(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: PutScheduleDto,
    @CurrentUser() user: AuthUser,
  ): Promise<ScheduleDto> {
    return this.schedules.put(id, dto, user);
  }
}
