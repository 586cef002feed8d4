import { Body, Controller, HttpCode, HttpStatus, Param, Patch, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../core/auth/auth-user';
import { CurrentUser, Roles } from '../core/auth/decorators';
import { Role } from '../core/auth/role';
import { ParseIdPipe } from '../core/http/id';
import { CreatedLocation } from '../core/http/location';
import { Origin, RequestOrigin } from '../core/http/request-origin';
import { ApiIdParam } from '../core/openapi/decorators';
import { ApiProblems } from '../core/openapi/routes';
import { CreateUserDto } from '../users/dto/create-user.dto';
import { UserDto } from '../users/dto/user.dto';
import { AccountsService } from './accounts.service';
import { UpdateMeDto } from './dto/update-me.dto';

/**
 * The admins' account routes that need this module's credentials and sessions. They live under
 * `/api/users/` beside the users module's own: that module cannot import this one, which imports it.
 */
@ApiTags('users')
@Roles(Role.Admin)
@Controller('users')
export class AdminAccountsController {
  constructor(private readonly accounts: AccountsService) {}

  /**
   * Create an account.
   * @remarks Admins only. The account has no usable password: its owner gets a mail with a link to `PUBLIC_URL/reset-password?token=…`, valid once for 7 days, to choose one (through `POST /api/auth/password/reset/confirm/`). Username, email and phone follow the rules of registration, and a username left out is derived from the email. Audited.
   */
  @Post()
  @CreatedLocation('/api/users/{id}/')
  @ApiCreatedResponse({ type: UserDto, description: 'The new account.' })
  @ApiProblems({
    badRequest: 'Invalid fields (named in `errors`).',
    conflict: 'The username, the email or the phone is taken (named in `errors`).',
  })
  createUser(@Body() dto: CreateUserDto, @CurrentUser() admin: AuthUser, @Origin() origin: RequestOrigin): Promise<UserDto> {
    return this.accounts.create(dto, admin, origin);
  }

  /**
   * End every session of an account.
   * @remarks Admins only. Its refresh tokens stop working, and so does every access token issued to it until now. Audited.
   */
  @Post(':id/sessions/end')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiIdParam('id', 'User id.')
  @ApiNoContentResponse({ description: 'Every session of the account is over.' })
  @ApiProblems({ notFound: 'No account with this id.' })
  endUserSessions(@Param('id', ParseIdPipe) id: number, @CurrentUser() admin: AuthUser): Promise<void> {
    return this.accounts.endSessions(id, admin);
  }

  /**
   * Mail an account a password reset link.
   * @remarks Admins only. The same mail and link as the owner's own request (`POST /api/auth/password/reset/`), valid once for `PASSWORD_RESET_TTL`; it voids older links. The password stays as it is until the link is used. Audited.
   */
  @Post(':id/password-reset')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiIdParam('id', 'User id.')
  @ApiAcceptedResponse({ description: 'The reset link is on its way.' })
  @ApiProblems({ notFound: 'No account with this id.', conflict: 'The account is deactivated.' })
  resetUserPassword(@Param('id', ParseIdPipe) id: number, @CurrentUser() admin: AuthUser): Promise<void> {
    return this.accounts.sendPasswordReset(id, admin);
  }
}

/** The caller's changes to their own account. */
@ApiTags('auth')
@Controller('auth')
export class OwnAccountController {
  constructor(private readonly accounts: AccountsService) {}

  /**
   * Change the caller's name, phone or email.
   * @remarks A new email needs `current_password`, and must be free as at registration; it takes effect at once. Audited.
   */
  @Patch('me')
  @ApiOkResponse({ type: UserDto, description: "The caller's account as changed." })
  @ApiProblems({
    badRequest: 'Invalid fields, or an email change without the right `current_password` (named in `errors`).',
    conflict: 'The email or the phone is taken (named in `errors`).',
  })
  updateMe(@CurrentUser() caller: AuthUser, @Body() dto: UpdateMeDto): Promise<UserDto> {
    return this.accounts.updateMe(caller, dto);
  }
}
