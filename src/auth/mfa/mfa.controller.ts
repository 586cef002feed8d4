import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthUser } from '../../core/auth/auth-user';
import { AllowedBeforeMfa, CurrentUser, Public } from '../../core/auth/decorators';
import { Origin, RequestOrigin } from '../../core/http/request-origin';
import { StrictThrottle } from '../../core/throttling/throttling';
import { LoginResponseDto } from '../dto/tokens.dto';
import { MfaLoginDto, RecoveryCodesDto, TotpCodeDto, TotpDisableDto, TotpSetupDto } from './dto/mfa.dto';
import { MfaService } from './mfa.service';

/** Two-factor authentication by TOTP: setting it up, turning it off, and the second step of a login. */
@ApiTags('auth')
@Controller('auth')
export class MfaController {
  constructor(private readonly mfa: MfaService) {}

  /**
   * Log in, second step: a code from the authenticator app, or a recovery code.
   * @remarks For an account with two-factor authentication the login answers `{mfa_required: true, mfa_token}`; send that token here, within 5 minutes, with `code` (the app's current 6-digit code) or `recovery_code`. Each code is accepted once, and so is each recovery code. Rate limited by the strict per-address budget.
   */
  @Public()
  @StrictThrottle()
  @Post('login/mfa')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: LoginResponseDto, description: 'A new session: its access and refresh tokens, and the account.' })
  @ApiBadRequestResponse({ description: 'Neither or both of `code` and `recovery_code` (named in `errors.code`).' })
  @ApiUnauthorizedResponse({
    description: 'The code is wrong or used, or the `mfa_token` is invalid, expired or of an account changed since.',
  })
  loginMfa(@Body() dto: MfaLoginDto, @Origin() origin: RequestOrigin): Promise<LoginResponseDto> {
    return this.mfa.login(dto, origin);
  }

  /**
   * Set up two-factor authentication: a new TOTP secret.
   * @remarks Answers a new secret (RFC 6238: SHA-1, 6 digits, 30 seconds) and its `otpauth://` URL for a QR code. It is pending until `POST /api/auth/mfa/totp/enable/` confirms it with a code; a new setup replaces one not confirmed. The secret is stored encrypted. Rate limited by the strict per-address budget.
   */
  @AllowedBeforeMfa()
  @StrictThrottle()
  @Post('mfa/totp/setup')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: TotpSetupDto, description: 'The new secret, pending until enabled.' })
  @ApiConflictResponse({ description: 'Two-factor authentication is already on.' })
  setupTotp(@CurrentUser() caller: AuthUser): Promise<TotpSetupDto> {
    return this.mfa.setup(caller);
  }

  /**
   * Turn two-factor authentication on with a code of the secret set up.
   * @remarks From now on a login asks for a code too. Answers ten recovery codes, each good for one login without the app: this is the only time they are shown. Rate limited by the strict per-address budget.
   */
  @AllowedBeforeMfa()
  @StrictThrottle()
  @Post('mfa/totp/enable')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: RecoveryCodesDto, description: 'Two-factor authentication is on; the recovery codes, shown once.' })
  @ApiBadRequestResponse({ description: 'The code is wrong (`errors.code`).' })
  @ApiConflictResponse({ description: 'Two-factor authentication is already on, or no setup is pending.' })
  enableTotp(@CurrentUser() caller: AuthUser, @Body() dto: TotpCodeDto): Promise<RecoveryCodesDto> {
    return this.mfa.enable(caller, dto.code);
  }

  /**
   * Turn two-factor authentication off.
   * @remarks Needs the current password and a current code; the recovery codes stop working. Rate limited by the strict per-address budget.
   */
  @StrictThrottle()
  @Post('mfa/totp/disable')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Two-factor authentication is off.' })
  @ApiBadRequestResponse({ description: 'The password is wrong (`errors.current_password`) or the code is wrong or used (`errors.code`).' })
  @ApiConflictResponse({ description: 'Two-factor authentication is not on.' })
  disableTotp(@CurrentUser() caller: AuthUser, @Body() dto: TotpDisableDto): Promise<void> {
    return this.mfa.disable(caller, dto);
  }
}
