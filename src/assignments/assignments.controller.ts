import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../core/auth/auth-user';
import { CurrentUser } from '../core/auth/decorators';
import { ParseIdPipe } from '../core/http/id';
import { ApiIdParam } from '../core/openapi/decorators';
import { CreatesRecord, DeletesRecord } from '../core/openapi/routes';
import { Page, PageQueryDto, Paginated } from '../core/pagination/pagination';
import { DoctorDto } from '../doctors/dto/doctor.dto';
import { CreateAssignmentDto } from './dto/create-assignment.dto';
import { ListAssignmentsQuery } from './dto/list-assignments.query';
import { AssignmentDto } from './dto/assignment.dto';
import { AssignmentsService } from './assignments.service';

const PATIENT_NOT_VISIBLE = "No such patient among the caller's (or, for a doctor account, those assigned to it).";
const READ_ONLY = "An assigned doctor may read the patient, but only the patient's owner or an admin may change its assignments.";
/** The paths kept for the clients of the Django projects this service replaces. */
const alias = (note = '') =>
  ApiOperation({
    deprecated: true,
    description: `Alias of \`GET /api/patients/{id}/doctors\`, kept for the clients of the Django projects this service replaces.${note}`,
  });

// The path, the tag and the method names (the document's operationIds) keep the API's word.
@ApiTags('mappings')
@Controller('mappings')
export class AssignmentsController {
  constructor(private readonly assignments: AssignmentsService) {}

  /**
   * Assign a doctor to a patient.
   * @remarks The patient must be the caller's (admins: any). Assigning a doctor who is already actively assigned to the patient is refused, even for requests that race: a partial unique index decides. The assignment is audited.
   */
  @Post()
  @CreatesRecord(AssignmentDto, {
    description: 'The new assignment, with summaries of the patient and the doctor.',
    badRequest: 'Invalid fields, or no such doctor (named in `errors.doctor`).',
    notFound: PATIENT_NOT_VISIBLE,
    forbidden: READ_ONLY,
    conflict: 'The doctor is already actively assigned to the patient.',
  })
  createMapping(@Body() dto: CreateAssignmentDto, @CurrentUser() user: AuthUser): Promise<AssignmentDto> {
    return this.assignments.create(dto, user);
  }

  /**
   * List assignments.
   * @remarks The assignments of the caller's patients, active and ended (admins: all); a doctor account also sees the active assignments of its doctor profile. Filter with `patient`, `doctor` and `is_active`.
   */
  @Get()
  @Paginated(AssignmentDto)
  listMappings(@Query() query: ListAssignmentsQuery, @CurrentUser() user: AuthUser): Promise<Page<AssignmentDto>> {
    return this.assignments.list(query, user);
  }

  /**
   * List a patient's active assignments.
   * @remarks The assignments, with `doctor_details`, that `GET /api/mappings/?patient={patient_id}&is_active=true` lists, but 404 when the patient is not the caller's (or, for a doctor account, assigned to it). Kept for the clients of the Django projects this service replaces, which read assignments here; the patient's doctors are at `GET /api/patients/{id}/doctors`.
   */
  @Get('patient/:patient_id')
  @ApiOperation({ deprecated: true })
  @Paginated(AssignmentDto)
  @ApiIdParam('patient_id', 'Patient id.')
  @ApiNotFoundResponse({ description: PATIENT_NOT_VISIBLE })
  listPatientMappings(
    @Param('patient_id', ParseIdPipe) patientId: number,
    @Query() query: PageQueryDto,
    @CurrentUser() user: AuthUser,
  ): Promise<Page<AssignmentDto>> {
    return this.assignments.activeOf(patientId, query, user);
  }

  /** List a patient's doctors (alias). */
  @Get(':patient_id/doctors')
  @alias()
  @Paginated(DoctorDto)
  @ApiIdParam('patient_id', 'Patient id.')
  @ApiNotFoundResponse({ description: PATIENT_NOT_VISIBLE })
  listPatientDoctorsByDoctorsPath(
    @Param('patient_id', ParseIdPipe) patientId: number,
    @Query() query: PageQueryDto,
    @CurrentUser() user: AuthUser,
  ): Promise<Page<DoctorDto>> {
    return this.assignments.doctorsOf(patientId, query, user);
  }

  /** List a patient's doctors (alias). */
  @Get(':id')
  @alias(" Its `id` is the patient's, not an assignment's: the parameter shares the name of `DELETE` on the same path.")
  @Paginated(DoctorDto)
  @ApiIdParam('id', 'Patient id (not an assignment id).')
  @ApiNotFoundResponse({ description: PATIENT_NOT_VISIBLE })
  listPatientDoctorsByMappingPath(
    @Param('id', ParseIdPipe) patientId: number,
    @Query() query: PageQueryDto,
    @CurrentUser() user: AuthUser,
  ): Promise<Page<DoctorDto>> {
    return this.assignments.doctorsOf(patientId, query, user);
  }

  /**
   * End an assignment.
   * @remarks The assignment stays in the list as inactive history, with `ended_at`, and the doctor can be assigned again. Ending an ended assignment changes nothing. The change is audited.
   */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @DeletesRecord({
    id: 'Assignment id.',
    description: 'The assignment has ended.',
    notFound: "No such assignment of the caller's patients.",
    forbidden: READ_ONLY,
  })
  deleteMapping(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<void> {
    return this.assignments.end(id, user);
  }
}

/** The same list of a patient's doctors, at its RESTful path. */
@ApiTags('patients')
@Controller('patients')
export class PatientDoctorsController {
  constructor(private readonly assignments: AssignmentsService) {}

  /**
   * List a patient's doctors.
   * @remarks The doctors actively assigned to the patient, in order of assignment. Owners and admins see them, and so does a doctor account assigned to the patient. Also answered at the deprecated aliases `/api/mappings/{id}/` and `/api/mappings/{patient_id}/doctors/`.
   */
  @Get(':id/doctors')
  @Paginated(DoctorDto)
  @ApiIdParam('id', 'Patient id.')
  @ApiNotFoundResponse({ description: PATIENT_NOT_VISIBLE })
  listPatientDoctors(
    @Param('id', ParseIdPipe) id: number,
    @Query() query: PageQueryDto,
    @CurrentUser() user: AuthUser,
  ): Promise<Page<DoctorDto>> {
    return this.assignments.doctorsOf(id, query, user);
  }
}
