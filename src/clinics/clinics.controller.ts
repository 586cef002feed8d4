import { Body, Controller, Delete, Get, Headers, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuditEventDto } from '../audit/dto/audit-event.dto';
import { ListAuditEventsQuery } from '../audit/dto/list-audit-events.query';
import { AuthUser } from '../core/auth/auth-user';
import { CurrentUser } from '../core/auth/decorators';
import { ParseIdPipe } from '../core/http/id';
import { CreatedLocation } from '../core/http/location';
import { ApiIdParam } from '../core/openapi/decorators';
import { ApiProblems, ChangesRecord, CreatesRecord, DeletesRecord, ReadsRecord } from '../core/openapi/routes';
import { Page, PageQueryDto, Paginated } from '../core/pagination/pagination';
import { ClinicsService } from './clinics.service';
import { ClinicDto } from './dto/clinic.dto';
import { CreateClinicDto } from './dto/create-clinic.dto';
import { ClinicInvitationDto } from './dto/invitation.dto';
import { ChangeMemberDto, InviteMemberDto } from './dto/invite-member.dto';
import { ClinicMemberDto } from './dto/member.dto';
import { UpdateClinicDto } from './dto/update-clinic.dto';

const NOT_VISIBLE = 'No such clinic among those the caller is an active member of.';
const MANAGERS_ONLY = "The caller is a member but not one of the clinic's managers.";
const LAST_MANAGER = 'The member is the clinic’s last manager.';

@ApiTags('clinics')
@Controller('clinics')
export class ClinicsController {
  constructor(private readonly clinics: ClinicsService) {}

  /**
   * Create a clinic.
   * @remarks Any account may; it becomes the clinic's first manager in the same transaction. Audited.
   */
  @Post()
  @CreatesRecord(ClinicDto, { description: 'The new clinic.', badRequest: 'Invalid fields, or an unknown time zone (`errors.timezone`).' })
  @CreatedLocation('/api/clinics/{id}/')
  createClinic(@Body() dto: CreateClinicDto, @CurrentUser() user: AuthUser): Promise<ClinicDto> {
    return this.clinics.create(dto, user);
  }

  /**
   * List clinics.
   * @remarks The clinics the caller is an active member of (admins: all).
   */
  @Get()
  @Paginated(ClinicDto)
  listClinics(@Query() query: PageQueryDto, @CurrentUser() user: AuthUser): Promise<Page<ClinicDto>> {
    return this.clinics.list(query, user);
  }

  /**
   * List the caller's pending invitations.
   * @remarks The clinics that invited the caller's account and wait for its answer (accept or decline), oldest first, with each clinic's name and the role offered; nobody, admins included, lists another account's. An accepted or declined invitation is no longer listed.
   */
  // Before the `:id` routes, so that `invitations` is never taken for a clinic id.
  @Get('invitations')
  @Paginated(ClinicInvitationDto)
  listClinicInvitations(@Query() query: PageQueryDto, @CurrentUser() user: AuthUser): Promise<Page<ClinicInvitationDto>> {
    return this.clinics.invitations(query, user);
  }

  /**
   * Get one clinic.
   * @remarks Its active members and admins see it; anyone else gets 404, as for a missing id.
   */
  @Get(':id')
  @ReadsRecord(ClinicDto, { id: 'Clinic id.', description: 'The clinic.', notFound: NOT_VISIBLE })
  getClinic(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<ClinicDto> {
    return this.clinics.get(id, user);
  }

  /**
   * Change some of a clinic's fields.
   * @remarks For its managers (and admins). Send the `ETag` last read as `If-Match` to refuse the write (412) when someone changed the clinic since.
   */
  @Patch(':id')
  @ChangesRecord(ClinicDto, { id: 'Clinic id.', description: 'The clinic as changed.', notFound: NOT_VISIBLE, forbidden: MANAGERS_ONLY })
  updateClinic(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: UpdateClinicDto,
    @CurrentUser() user: AuthUser,
    @Headers('If-Match') ifMatch?: string,
  ): Promise<ClinicDto> {
    return this.clinics.update(id, dto, user, ifMatch);
  }

  /**
   * List a clinic's members.
   * @remarks Active members and pending invitations; for the clinic's active members and admins.
   */
  @Get(':id/members')
  @Paginated(ClinicMemberDto)
  @ApiIdParam('id', 'Clinic id.')
  @ApiNotFoundResponse({ description: NOT_VISIBLE })
  listClinicMembers(
    @Param('id', ParseIdPipe) id: number,
    @Query() query: PageQueryDto,
    @CurrentUser() user: AuthUser,
  ): Promise<Page<ClinicMemberDto>> {
    return this.clinics.members(id, query, user);
  }

  /**
   * List the audit events of a clinic's records.
   * @remarks For its managers (and admins); newest first. The entries of the admins' trail (`GET /api/audit-events/`) whose `clinic` is this one: those about the clinic's patients (reads and refused attempts included), their assignments and appointments (those a patient's delete ended or cancelled too), the clinic's doctor profiles and their schedules, the clinic and its members (invitations, acceptances, declines, role changes, removals). An entry belongs to the clinic its record belonged to when it was written. Filter with `actor`, `entity`, `entity_id`, `action`, `from` and `to`.
   */
  @Get(':id/audit-events')
  @Paginated(AuditEventDto)
  @ApiIdParam('id', 'Clinic id.')
  @ApiProblems({ notFound: NOT_VISIBLE, forbidden: MANAGERS_ONLY })
  listClinicAuditEvents(
    @Param('id', ParseIdPipe) id: number,
    @Query() query: ListAuditEventsQuery,
    @CurrentUser() user: AuthUser,
  ): Promise<Page<AuditEventDto>> {
    return this.clinics.auditEvents(id, query, user);
  }

  /**
   * Invite an account to a clinic.
   * @remarks For managers. Name an existing account by exactly one of `user`, `email` or `username`; it becomes a member (`status` `active`) once it accepts. Audited.
   */
  @Post(':id/members')
  @ApiCreatedResponse({ type: ClinicMemberDto, description: 'The invitation.' })
  @ApiProblems({
    badRequest: 'Invalid fields, or no such account (named in `errors`).',
    notFound: NOT_VISIBLE,
    forbidden: MANAGERS_ONLY,
    conflict: 'The account is already a member of the clinic, or invited to it.',
  })
  @ApiIdParam('id', 'Clinic id.')
  inviteClinicMember(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: InviteMemberDto,
    @CurrentUser() user: AuthUser,
  ): Promise<ClinicMemberDto> {
    return this.clinics.invite(id, dto, user);
  }

  /**
   * Accept an invitation to a clinic.
   * @remarks The invited account becomes an active member. Audited.
   */
  @Post(':id/membership/accept')
  @HttpCode(HttpStatus.OK)
  @ApiIdParam('id', 'Clinic id.')
  @ApiOkResponse({ type: ClinicMemberDto, description: 'The membership, now active.' })
  @ApiProblems({ notFound: 'The caller has no pending invitation to this clinic.' })
  acceptClinicInvitation(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<ClinicMemberDto> {
    return this.clinics.accept(id, user);
  }

  /**
   * Decline an invitation to a clinic.
   * @remarks The invitation is deleted (a manager may invite the account again). Audited.
   */
  @Post(':id/membership/decline')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiIdParam('id', 'Clinic id.')
  @ApiNoContentResponse({ description: 'The invitation is declined.' })
  @ApiProblems({ notFound: 'The caller has no pending invitation to this clinic.' })
  declineClinicInvitation(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<void> {
    return this.clinics.decline(id, user);
  }

  /**
   * Change a member's role.
   * @remarks For managers. The last active manager cannot be given another role (409). Audited.
   */
  @Patch(':id/members/:user_id')
  @ApiIdParam('id', 'Clinic id.')
  @ApiIdParam('user_id', "The member's account id.")
  @ApiOkResponse({ type: ClinicMemberDto, description: 'The membership as changed.' })
  @ApiProblems({ notFound: NOT_VISIBLE, forbidden: MANAGERS_ONLY, conflict: LAST_MANAGER, badRequest: 'Invalid `role`.' })
  updateClinicMember(
    @Param('id', ParseIdPipe) id: number,
    @Param('user_id', ParseIdPipe) userId: number,
    @Body() dto: ChangeMemberDto,
    @CurrentUser() user: AuthUser,
  ): Promise<ClinicMemberDto> {
    return this.clinics.changeRole(id, userId, dto, user);
  }

  /**
   * Remove a member from a clinic.
   * @remarks Managers remove any member or invitation; a member may remove itself (leave). The last active manager cannot leave or be removed (409). Audited.
   */
  @Delete(':id/members/:user_id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @DeletesRecord({
    id: 'Clinic id.',
    description: 'The member is removed.',
    notFound: NOT_VISIBLE,
    forbidden: MANAGERS_ONLY,
    conflict: LAST_MANAGER,
  })
  @ApiIdParam('user_id', "The member's account id.")
  deleteClinicMember(
    @Param('id', ParseIdPipe) id: number,
    @Param('user_id', ParseIdPipe) userId: number,
    @CurrentUser() user: AuthUser,
  ): Promise<void> {
    return this.clinics.remove(id, userId, user);
  }
}
