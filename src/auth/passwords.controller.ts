import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../core/auth/auth-user';
import { CurrentUser, Public } from '../core/auth/decorators';
import { Origin, RequestOrigin } from '../core/http/request-origin';
import { StrictThrottle } from '../core/throttling/throttling';
import { CredentialsService } from './credentials.service';
import { ChangePasswordDto, PasswordResetConfirmDto, PasswordResetRequestDto } from './dto/passwords.dto';

/** Changing a password, and resetting a forgotten one through a mailed link. */
@ApiTags('auth')
@Controller('auth/password')
export class PasswordsController {
  constructor(private readonly credentials: CredentialsService) {}

  /**
   * Change the caller's password.
   * @remarks Needs the current password. Every other session of the account ends, and every access token issued until now stops working: this session goes on with a refresh. The account's owner gets a mail saying so. Rate limited by the strict per-address budget.
   */
  @StrictThrottle()
  @Post('change')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'The password is changed.' })
  @ApiBadRequestResponse({
    description: 'The current password is wrong (`errors.current_password`), or the policy refuses the new one (`errors.new_password`).',
  })
  change(@CurrentUser() caller: AuthUser, @Body() dto: ChangePasswordDto): Promise<void> {
    return this.credentials.change(caller, dto);
  }

  /**
   * Ask for a password reset link.
   * @remarks Answers 202 at once, whether or not such an account exists (so nobody learns which do); when an active one does, it gets a mail with a link to `PUBLIC_URL/reset-password?token=…`, valid for `PASSWORD_RESET_TTL` (30 minutes) and once. A newer request voids older links. Rate limited by the strict per-address budget.
   */
  @Public()
  @StrictThrottle()
  @Post('reset')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ description: 'If the account exists, a reset link is on its way.' })
  @ApiBadRequestResponse({ description: 'Neither a valid email nor a username.' })
  requestReset(@Body() dto: PasswordResetRequestDto, @Origin() origin: RequestOrigin): void {
    this.credentials.requestReset(dto, origin);
  }

  /**
   * Set a new password with a reset link's token.
   * @remarks Spends the token, and ends every session of the account and every access token issued until now. Rate limited by the strict per-address budget.
   */
  @Public()
  @StrictThrottle()
  @Post('reset/confirm')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'The password is changed; log in with it.' })
  @ApiBadRequestResponse({
    description: 'The token is invalid, used or expired (`errors.token`), or the policy refuses the password (`errors.new_password`).',
  })
  confirmReset(@Body() dto: PasswordResetConfirmDto, @Origin() origin: RequestOrigin): Promise<void> {
    return this.credentials.confirmReset(dto, origin);
  }
}
