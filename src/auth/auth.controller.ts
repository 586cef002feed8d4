import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { AuthUser } from '../core/auth/auth-user';
import { AllowedBeforeMfa, CurrentUser, Public } from '../core/auth/decorators';
import { CreatedLocation } from '../core/http/location';
import { Origin, RequestOrigin } from '../core/http/request-origin';
import { StrictThrottle } from '../core/throttling/throttling';
import { UserDto } from '../users/dto/user.dto';
import { AuthService } from './auth.service';
import { LoginDto } from './dto/login.dto';
import { RefreshDto } from './dto/refresh.dto';
import { RegisterDto } from './dto/register.dto';
import { LoginResponseDto, RegisterResponseDto, TokenPairDto } from './dto/tokens.dto';
import { MfaChallengeDto } from './mfa/dto/mfa.dto';

/**
 * Registration, login, token refresh and logout. The further paths of a route are aliases kept
 * for the clients of the Django projects this service replaces; the document marks them deprecated.
 */
@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /**
   * Register an account and log it in.
   * @remarks Self-service accounts have the role `patient` (the default) or `doctor`; nobody can register as an admin. Usernames (3-150 letters, digits and `@.+-_`) and emails are unique ignoring case. A password needs at least 8 characters, not all digits, not a commonly used password and not similar to the username or email. Rate limited by the strict per-address budget.
   */
  @Public()
  @StrictThrottle()
  @Post(['auth/register', 'auth'])
  // The account's own URL, which admins read; the account itself reads it at /api/auth/me/.
  @CreatedLocation('/api/users/{user.id}/')
  @ApiCreatedResponse({ type: RegisterResponseDto, description: 'The new account and its first access and refresh tokens.' })
  @ApiBadRequestResponse({ description: 'Invalid fields, or a password the policy refuses (its reasons in `errors.password`).' })
  @ApiConflictResponse({ description: 'The username or the email is taken (named in `errors`).' })
  register(@Body() dto: RegisterDto, @Origin() origin: RequestOrigin): Promise<RegisterResponseDto> {
    return this.auth.register(dto, origin);
  }

  /**
   * Log in with a username or an email, and a password.
   * @remarks Answers an access token, a refresh token and the account. For an account with two-factor authentication it answers `{mfa_required: true, mfa_token}` instead: the login ends at `POST /api/auth/login/mfa/` with a code. An unknown account, a wrong password and a deactivated account get the same 401, in about the same time. Rate limited by the strict per-address budget.
   */
  @Public()
  @StrictThrottle()
  @Post(['auth/login', 'token'])
  @HttpCode(HttpStatus.OK)
  @ApiExtraModels(LoginResponseDto, MfaChallengeDto)
  @ApiOkResponse({
    schema: { oneOf: [{ $ref: getSchemaPath(LoginResponseDto) }, { $ref: getSchemaPath(MfaChallengeDto) }] },
    description:
      'A new session (its access and refresh tokens, and the account), or, with two-factor authentication, the token of the second step.',
  })
  @ApiUnauthorizedResponse({ description: 'No active account with these credentials.' })
  login(@Body() dto: LoginDto, @Origin() origin: RequestOrigin): Promise<LoginResponseDto | MfaChallengeDto> {
    return this.auth.login(dto, origin);
  }

  /**
   * Exchange a refresh token for a new token pair.
   * @remarks Refresh tokens are single use: the one sent is spent, and the answer holds its successor. Presenting a spent refresh token again (a stolen token replayed, or the victim's copy after the thief used it) revokes every refresh token of that session. A service run with `JWT_REFRESH_ROTATION=off` (for clients that keep one refresh token, as simplejwt's do) answers the refresh token sent instead, valid until it expires or its session is logged out. Rate limited by the strict per-address budget.
   */
  @Public()
  @StrictThrottle()
  @Post(['auth/token/refresh', 'auth/refresh', 'token/refresh'])
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({
    type: TokenPairDto,
    description: 'A new access token and the next refresh token of the session (the same one with rotation off).',
  })
  @ApiUnauthorizedResponse({ description: 'The refresh token is invalid, expired, revoked or already used.' })
  refreshToken(@Body() dto: RefreshDto, @Origin() origin: RequestOrigin): Promise<TokenPairDto> {
    return this.auth.refresh(dto.refresh, origin);
  }

  /**
   * Log out: end the session of a refresh token.
   * @remarks Every refresh token of that session stops working at once; an access token already issued stays valid until it expires (`JWT_ACCESS_TTL`, 15 minutes by default).
   */
  @Public()
  @Post('auth/logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'The session is over.' })
  @ApiUnauthorizedResponse({ description: 'The refresh token is invalid, expired or already revoked.' })
  logout(@Body() dto: RefreshDto, @Origin() origin: RequestOrigin): Promise<void> {
    return this.auth.logout(dto.refresh, origin);
  }

  /**
   * Get the caller's account.
   * @remarks The account the access token was issued to, as it is now.
   */
  @AllowedBeforeMfa()
  @Get('auth/me')
  @ApiOkResponse({ type: UserDto, description: "The caller's account." })
  me(@CurrentUser() user: AuthUser): Promise<UserDto> {
    return this.auth.me(user.id);
  }
}
