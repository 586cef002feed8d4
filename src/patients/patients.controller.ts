import { Body, Controller, Delete, Get, Headers, HttpCode, HttpStatus, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ParseIdPipe } from '../core/http/id';
import {
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
import { CreatePatientDto } from './dto/create-patient.dto';
import { ListPatientsQuery } from './dto/list-patients.query';
import { PatientDto } from './dto/patient.dto';
import { UpdatePatientDto } from './dto/update-patient.dto';
import { PatientsService } from './patients.service';

@ApiTags('patients')
@Controller('patients')
export class PatientsController {
  constructor(private readonly patients: PatientsService) {}

  /** Create a patient record owned by the caller. */
  @Post()
  @WithETag()
  @ApiCreatedResponse({ type: PatientDto })
  createPatient(@Body() dto: CreatePatientDto, @CurrentUser() user: AuthUser): Promise<PatientDto> {
    return this.patients.create(dto, user);
  }

  /**
   * List the caller's patients (admins: all).
   * @remarks With `assigned=true`, a doctor lists the patients assigned to it instead.
   */
  @Get()
  @Paginated(PatientDto)
  listPatients(@Query() query: ListPatientsQuery, @CurrentUser() user: AuthUser): Promise<Page<PatientDto>> {
    return this.patients.list(query, user);
  }

  /** Get one patient. */
  @Get(':id')
  @WithETag()
  @ApiOkResponse({ type: PatientDto })
  @ApiNotFoundResponse({ description: 'No such patient is visible to the caller.' })
  getPatient(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<PatientDto> {
    return this.patients.get(id, user);
  }

  /** Replace a patient's fields (name required; fields left out keep their values). */
  @Put(':id')
  @WithETag()
  @AcceptsIfMatch()
  @ApiOkResponse({ type: PatientDto })
  @ApiNotFoundResponse()
  @ApiForbiddenResponse({ description: 'A care-team doctor may read but not change the patient.' })
  replacePatient(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: CreatePatientDto,
    @CurrentUser() user: AuthUser,
    @Headers('if-match') ifMatch?: string,
  ): Promise<PatientDto> {
    return this.patients.update(id, dto, user, ifMatch);
  }

  /** Change some of a patient's fields. */
  @Patch(':id')
  @WithETag()
  @AcceptsIfMatch()
  @ApiOkResponse({ type: PatientDto })
  @ApiNotFoundResponse()
  @ApiForbiddenResponse({ description: 'A care-team doctor may read but not change the patient.' })
  updatePatient(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: UpdatePatientDto,
    @CurrentUser() user: AuthUser,
    @Headers('if-match') ifMatch?: string,
  ): Promise<PatientDto> {
    return this.patients.update(id, dto, user, ifMatch);
  }

  /** Delete a patient: kept for retention, gone from the API; its assignments end and future appointments are cancelled. */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  @ApiForbiddenResponse()
  deletePatient(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<void> {
    return this.patients.remove(id, user);
  }
}
