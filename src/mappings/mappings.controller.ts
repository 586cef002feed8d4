import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ParseIdPipe } from '../core/http/id';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AuthUser } from '../core/auth/auth-user';
import { CurrentUser } from '../core/auth/decorators';
import { WithETag } from '../core/http/etag';
import { Page, PageQueryDto, Paginated } from '../core/pagination/pagination';
import { DoctorDto } from '../doctors/dto/doctor.dto';
import { CreateMappingDto } from './dto/create-mapping.dto';
import { ListMappingsQuery } from './dto/list-mappings.query';
import { MappingDto } from './dto/mapping.dto';
import { MappingsService } from './mappings.service';

@ApiTags('mappings')
@Controller('mappings')
export class MappingsController {
  constructor(private readonly mappings: MappingsService) {}

  /** Assign a doctor to one of the caller's patients. */
  @Post()
  @WithETag()
  @ApiCreatedResponse({ type: MappingDto })
  @ApiBadRequestResponse({ description: 'Invalid fields, or no such doctor (named in `errors.doctor`).' })
  @ApiNotFoundResponse({ description: "No such patient among the caller's." })
  @ApiConflictResponse({ description: 'The doctor is already actively assigned to the patient.' })
  createMapping(@Body() dto: CreateMappingDto, @CurrentUser() user: AuthUser): Promise<MappingDto> {
    return this.mappings.create(dto, user);
  }

  /** List assignments of the caller's patients (admins: all), active and ended. */
  @Get()
  @Paginated(MappingDto)
  listMappings(@Query() query: ListMappingsQuery, @CurrentUser() user: AuthUser): Promise<Page<MappingDto>> {
    return this.mappings.list(query, user);
  }

  /** The doctors assigned to a patient (path kept for the clients we replace). */
  @Get('patient/:patient_id')
  @Paginated(DoctorDto)
  @ApiNotFoundResponse()
  listPatientDoctorsByPatientPath(
    @Param('patient_id', ParseIdPipe) patientId: number,
    @Query() query: PageQueryDto,
    @CurrentUser() user: AuthUser,
  ): Promise<Page<DoctorDto>> {
    return this.mappings.doctorsOf(patientId, query, user);
  }

  /** The doctors assigned to a patient (path kept for the clients we replace). */
  @Get(':patient_id/doctors')
  @Paginated(DoctorDto)
  @ApiNotFoundResponse()
  listPatientDoctorsByDoctorsPath(
    @Param('patient_id', ParseIdPipe) patientId: number,
    @Query() query: PageQueryDto,
    @CurrentUser() user: AuthUser,
  ): Promise<Page<DoctorDto>> {
    return this.mappings.doctorsOf(patientId, query, user);
  }

  /** The doctors assigned to a patient (path kept for the clients we replace). */
  @Get(':patient_id')
  @Paginated(DoctorDto)
  @ApiNotFoundResponse()
  listPatientDoctorsByMappingPath(
    @Param('patient_id', ParseIdPipe) patientId: number,
    @Query() query: PageQueryDto,
    @CurrentUser() user: AuthUser,
  ): Promise<Page<DoctorDto>> {
    return this.mappings.doctorsOf(patientId, query, user);
  }

  /** End an assignment; it stays in the list as inactive history, and the doctor can be assigned again. */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  deleteMapping(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<void> {
    return this.mappings.end(id, user);
  }
}

/** The same list of a patient's doctors, at its RESTful path. */
@ApiTags('patients')
@Controller('patients')
export class PatientDoctorsController {
  constructor(private readonly mappings: MappingsService) {}

  /** The doctors actively assigned to a patient. */
  @Get(':id/doctors')
  @Paginated(DoctorDto)
  @ApiNotFoundResponse()
  listPatientDoctors(
    @Param('id', ParseIdPipe) id: number,
    @Query() query: PageQueryDto,
    @CurrentUser() user: AuthUser,
  ): Promise<Page<DoctorDto>> {
    return this.mappings.doctorsOf(id, query, user);
  }
}
