import { Body, Controller, Delete, Get, Headers, HttpCode, HttpStatus, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../core/auth/auth-user';
import { CurrentUser } from '../core/auth/decorators';
import { ParseIdPipe } from '../core/http/id';
import { CreatedLocation } from '../core/http/location';
import { ChangesRecord, CreatesRecord, DeletesRecord, ReadsRecord } from '../core/openapi/routes';
import { Page, Paginated } from '../core/pagination/pagination';
import { DoctorsService } from './doctors.service';
import { CreateDoctorDto } from './dto/create-doctor.dto';
import { DoctorDto } from './dto/doctor.dto';
import { ListDoctorsQuery } from './dto/list-doctors.query';
import { UpdateDoctorDto } from './dto/update-doctor.dto';

const NOT_FOUND = 'No doctor with this id in the directory.';
const NOT_MANAGER =
  "Only its linked account or an admin may change a linked doctor profile, only its creator or an admin an unlinked one, and a clinic's profile its managers too; only an admin may set or move `user` (a linked account may unlink itself with `null`); only the clinic's managers or an admin may take a profile out of its clinic.";
const NOT_LINKER = "Only an admin may link a profile to another account than the caller's own (named in `errors`).";
const INVALID =
  'Invalid fields, a `user` that is not the id of an account with role doctor, or a `clinic` that is not one where the caller is a manager.';
const TAKEN = 'The email, the license number or the linked account is already used by another doctor (named in `errors`).';
const CHANGED = {
  id: 'Doctor id.',
  description: 'The doctor as changed.',
  badRequest: INVALID,
  notFound: NOT_FOUND,
  forbidden: NOT_MANAGER,
  conflict: TAKEN,
};

@ApiTags('doctors')
@Controller('doctors')
export class DoctorsController {
  constructor(private readonly doctors: DoctorsService) {}

  /**
   * Add a doctor to the directory.
   * @remarks Anyone may add a doctor; into a `clinic`, only its managers or an admin. A doctor account without a profile gets this one linked to it (the one automatic link); only admins may link an account through `user`, to any account of role doctor.
   */
  @Post()
  @CreatesRecord(DoctorDto, { description: 'The new doctor.', badRequest: INVALID, forbidden: NOT_LINKER, conflict: TAKEN })
  @CreatedLocation('/api/doctors/{id}/')
  createDoctor(@Body() dto: CreateDoctorDto, @CurrentUser() user: AuthUser): Promise<DoctorDto> {
    return this.doctors.create(dto, user);
  }

  /**
   * List the doctor directory.
   * @remarks Everyone sees the whole directory. Filter with `search`, `specialization` and `clinic`; sort with `ordering`.
   */
  @Get()
  @Paginated(DoctorDto)
  listDoctors(@Query() query: ListDoctorsQuery): Promise<Page<DoctorDto>> {
    return this.doctors.list(query);
  }

  /**
   * Get one doctor.
   * @remarks Everyone may read the directory.
   */
  @Get(':id')
  @ReadsRecord(DoctorDto, { id: 'Doctor id.', description: 'The doctor.', notFound: NOT_FOUND })
  getDoctor(@Param('id', ParseIdPipe) id: number): Promise<DoctorDto> {
    return this.doctors.get(id);
  }

  /**
   * Replace a doctor's fields.
   * @remarks `name` and `specialization` are required; fields left out keep their values, and `null` clears an optional one. A linked profile only its account or an admin, an unlinked one only its creator or an admin, a clinic's profile its managers too; `user` only an admin changes (the linked account may set it to `null`); `clinic` moves out of a clinic only for its managers, into one only for its managers (admins: any). Send the `ETag` last read as `If-Match` to refuse the write (412) when someone changed the doctor since.
   */
  @Put(':id')
  @ChangesRecord(DoctorDto, CHANGED)
  replaceDoctor(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: CreateDoctorDto,
    @CurrentUser() user: AuthUser,
    @Headers('If-Match') ifMatch?: string,
  ): Promise<DoctorDto> {
    return this.doctors.update(id, dto, user, ifMatch);
  }

  /**
   * Change some of a doctor's fields.
   * @remarks Any subset of the fields; `null` clears an optional one. A linked profile only its account or an admin, an unlinked one only its creator or an admin, a clinic's profile its managers too; `user` only an admin changes (the linked account may set it to `null`); `clinic` moves out of a clinic only for its managers, into one only for its managers (admins: any). Send the `ETag` last read as `If-Match` to refuse the write (412) when someone changed the doctor since.
   */
  @Patch(':id')
  @ChangesRecord(DoctorDto, CHANGED)
  updateDoctor(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: UpdateDoctorDto,
    @CurrentUser() user: AuthUser,
    @Headers('If-Match') ifMatch?: string,
  ): Promise<DoctorDto> {
    return this.doctors.update(id, dto, user, ifMatch);
  }

  /**
   * Delete a doctor.
   * @remarks A soft delete: kept for history, gone from the directory. In the same transaction its assignments end and its future appointments are cancelled; its email and license number are free again. A linked profile only its account or an admin, an unlinked one only its creator or an admin, a clinic's profile its managers too.
   */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @DeletesRecord({ id: 'Doctor id.', description: 'The doctor is deleted.', notFound: NOT_FOUND, forbidden: NOT_MANAGER })
  deleteDoctor(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<void> {
    return this.doctors.remove(id, user);
  }
}
