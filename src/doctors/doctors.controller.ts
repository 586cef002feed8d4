import { Body, Controller, Delete, Get, Headers, HttpCode, HttpStatus, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ParseIdPipe } from '../core/http/id';
import {
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
import { DoctorsService } from './doctors.service';
import { CreateDoctorDto } from './dto/create-doctor.dto';
import { DoctorDto } from './dto/doctor.dto';
import { ListDoctorsQuery } from './dto/list-doctors.query';
import { UpdateDoctorDto } from './dto/update-doctor.dto';

@ApiTags('doctors')
@Controller('doctors')
export class DoctorsController {
  constructor(private readonly doctors: DoctorsService) {}

  /**
   * Add a doctor to the directory.
   * @remarks A doctor account without a profile gets this one linked to it.
   */
  @Post()
  @WithETag()
  @ApiCreatedResponse({ type: DoctorDto })
  @ApiConflictResponse({ description: 'The email, license number or account is already used by another doctor.' })
  createDoctor(@Body() dto: CreateDoctorDto, @CurrentUser() user: AuthUser): Promise<DoctorDto> {
    return this.doctors.create(dto, user);
  }

  /** List the directory. */
  @Get()
  @Paginated(DoctorDto)
  listDoctors(@Query() query: ListDoctorsQuery): Promise<Page<DoctorDto>> {
    return this.doctors.list(query);
  }

  /** Get one doctor. */
  @Get(':id')
  @WithETag()
  @ApiOkResponse({ type: DoctorDto })
  @ApiNotFoundResponse()
  getDoctor(@Param('id', ParseIdPipe) id: number): Promise<DoctorDto> {
    return this.doctors.get(id);
  }

  /** Replace a doctor's fields (name and specialization required; fields left out keep their values). */
  @Put(':id')
  @WithETag()
  @AcceptsIfMatch()
  @ApiOkResponse({ type: DoctorDto })
  @ApiNotFoundResponse()
  @ApiForbiddenResponse()
  @ApiConflictResponse()
  replaceDoctor(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: CreateDoctorDto,
    @CurrentUser() user: AuthUser,
    @Headers('if-match') ifMatch?: string,
  ): Promise<DoctorDto> {
    return this.doctors.update(id, dto, user, ifMatch);
  }

  /** Change some of a doctor's fields. */
  @Patch(':id')
  @WithETag()
  @AcceptsIfMatch()
  @ApiOkResponse({ type: DoctorDto })
  @ApiNotFoundResponse()
  @ApiForbiddenResponse()
  @ApiConflictResponse()
  updateDoctor(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: UpdateDoctorDto,
    @CurrentUser() user: AuthUser,
    @Headers('if-match') ifMatch?: string,
  ): Promise<DoctorDto> {
    return this.doctors.update(id, dto, user, ifMatch);
  }

  /** Delete a doctor: kept for history, gone from the directory; its assignments end and future appointments are cancelled. */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  @ApiForbiddenResponse()
  deleteDoctor(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<void> {
    return this.doctors.remove(id, user);
  }
}
