import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthUser } from '../core/auth/auth-user';
import { CurrentUser, Public } from '../core/auth/decorators';
import { StrictThrottle } from '../core/throttling/throttling';
import { UserDto } from '../users/dto/user.dto';
import { AuthService } from './auth.service';
import { LoginDto } from './dto/login.dto';
import { RefreshDto } from './dto/refresh.dto';
import { RegisterDto } from './dto/register.dto';
import { LoginResponseDto, RegisterResponseDto, TokenPairDto } from './dto/tokens.dto';

/**
 * Registration, login, token refresh and logout. The second path of each route is an alias
 * kept for the clients of the Django projects this service replaces.
 */
@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Create an account (role patient or doctor) and log it in. */
  @Public()
  @StrictThrottle()
  @Post(['auth/register', 'auth'])
  @ApiCreatedResponse({ type: RegisterResponseDto })
  @ApiConflictResponse({ description: 'The username or email is taken.' })
  @ApiTooManyRequestsResponse()
  register(@Body() dto: RegisterDto): Promise<RegisterResponseDto> {
    return this.auth.register(dto);
  }

  /** Exchange a username (or email) and password for tokens. */
  @Public()
  @StrictThrottle()
  @Post(['auth/login', 'token'])
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({ description: 'Wrong credentials or inactive account.' })
  @ApiTooManyRequestsResponse()
  login(@Body() dto: LoginDto): Promise<LoginResponseDto> {
    return this.auth.login(dto);
  }

  /** Exchange a refresh token for a new pair; the old refresh token is spent. */
  @Public()
  @StrictThrottle()
  @Post(['auth/token/refresh', 'auth/refresh', 'token/refresh'])
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({ description: 'Invalid, expired, revoked or reused refresh token.' })
  @ApiTooManyRequestsResponse()
  refreshToken(@Body() dto: RefreshDto): Promise<TokenPairDto> {
    return this.auth.refresh(dto.refresh);
  }

  /** End the session the refresh token belongs to. */
  @Public()
  @Post('auth/logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  @ApiUnauthorizedResponse({ description: 'Invalid or already revoked refresh token.' })
  logout(@Body() dto: RefreshDto): Promise<void> {
    return this.auth.logout(dto.refresh);
  }

  /** The account of the access token. */
  @Get('auth/me')
  @ApiOkResponse({ type: UserDto })
  me(@CurrentUser() user: AuthUser): Promise<UserDto> {
    return this.auth.me(user.id);
  }
}
