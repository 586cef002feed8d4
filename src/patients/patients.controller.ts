import { Body, Controller, Delete, Get, Headers, HttpCode, HttpStatus, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../core/auth/auth-user';
import { CurrentUser } from '../core/auth/decorators';
import { ParseIdPipe } from '../core/http/id';
import { CreatedLocation } from '../core/http/location';
import { ChangesRecord, CreatesRecord, DeletesRecord, ReadsRecord } from '../core/openapi/routes';
import { Page, Paginated } from '../core/pagination/pagination';
import { CreatePatientDto } from './dto/create-patient.dto';
import { ListPatientsQuery } from './dto/list-patients.query';
import { PatientDto } from './dto/patient.dto';
import { UpdatePatientDto } from './dto/update-patient.dto';
import { PatientsService } from './patients.service';

const NOT_VISIBLE = "No such patient among the caller's (or, for a doctor account, those assigned to it).";
const READ_ONLY = 'The caller may read the patient (an assigned doctor) but only its owner or an admin may change it.';
const CHANGED = { id: 'Patient id.', description: 'The patient record as changed.', notFound: NOT_VISIBLE, forbidden: READ_ONLY };

@ApiTags('patients')
@Controller('patients')
export class PatientsController {
  constructor(private readonly patients: PatientsService) {}

  /**
   * Create a patient record.
   * @remarks The record belongs to the caller: only they (and admins) see and change it, and doctors they assign to it may read it. `age` is computed from `date_of_birth` when that is given. The creation is audited.
   */
  @Post()
  @CreatesRecord(PatientDto, { description: 'The new patient record.' })
  @CreatedLocation('/api/patients/{id}/')
  createPatient(@Body() dto: CreatePatientDto, @CurrentUser() user: AuthUser): Promise<PatientDto> {
    return this.patients.create(dto, user);
  }

  /**
   * List patients.
   * @remarks The caller's own patients (admins: everyone's); with `assigned=true`, a doctor account lists the patients assigned to its doctor profile instead. Filter with `search`, `gender` and `blood_group`; sort with `ordering`.
   */
  @Get()
  @Paginated(PatientDto)
  listPatients(@Query() query: ListPatientsQuery, @CurrentUser() user: AuthUser): Promise<Page<PatientDto>> {
    return this.patients.list(query, user);
  }

  /**
   * Get one patient.
   * @remarks Owners and admins see a patient, and so does a doctor account whose doctor profile is actively assigned to it. Someone else's patient answers 404, like a missing one. Every read is audited.
   */
  @Get(':id')
  @ReadsRecord(PatientDto, { id: 'Patient id.', description: 'The patient record.', notFound: NOT_VISIBLE })
  getPatient(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<PatientDto> {
    return this.patients.get(id, user);
  }

  /**
   * Replace a patient's fields.
   * @remarks `name` is required; fields left out keep their values, and `null` clears an optional one. Send the `ETag` last read as `If-Match` to refuse the write (412) when someone changed the record since.
   */
  @Put(':id')
  @ChangesRecord(PatientDto, CHANGED)
  replacePatient(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: CreatePatientDto,
    @CurrentUser() user: AuthUser,
    @Headers('If-Match') ifMatch?: string,
  ): Promise<PatientDto> {
    return this.patients.update(id, dto, user, ifMatch);
  }

  /**
   * Change some of a patient's fields.
   * @remarks Any subset of the fields; `null` clears an optional one (`name` cannot be cleared). Send the `ETag` last read as `If-Match` to refuse the write (412) when someone changed the record since.
   */
  @Patch(':id')
  @ChangesRecord(PatientDto, CHANGED)
  updatePatient(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: UpdatePatientDto,
    @CurrentUser() user: AuthUser,
    @Headers('If-Match') ifMatch?: string,
  ): Promise<PatientDto> {
    return this.patients.update(id, dto, user, ifMatch);
  }

  /**
   * Delete a patient.
   * @remarks A soft delete: the record is kept for retention but disappears from the API. In the same transaction its active assignments end and its future appointments are cancelled.
   */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @DeletesRecord({ ...CHANGED, description: 'The patient is deleted.' })
  deletePatient(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<void> {
    return this.patients.remove(id, user);
  }
}
