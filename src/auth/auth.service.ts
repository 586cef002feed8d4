import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { AppConfig } from '../core/config/app-config';
import { InjectAppConfig } from '../core/config/app-config.provider';
import { InvalidFieldError, NotAuthenticatedError } from '../core/errors';
import type { RequestOrigin } from '../core/http/request-origin';
import { toUserDto, UserDto } from '../users/dto/user.dto';
import { Role } from '../core/auth/role';
import { UsersService } from '../users/users.service';
import { usernameBaseFromEmail } from '../users/account-names';
import { LoginDto } from './dto/login.dto';
import { RegisterDto } from './dto/register.dto';
import { LoginResponseDto, RegisterResponseDto, TokenPairDto } from './dto/tokens.dto';
import { awaitFailureFloor, burnPasswordCheck, hashIsOutdated, hashPassword, passwordProblems, verifyPassword } from './passwords';
import { TokensService } from './tokens.service';
import { LockoutService } from './lockout.service';
import { EmailVerificationService } from './email-verification.service';
import { MfaChallengeDto } from './mfa/dto/mfa.dto';
import { MfaService } from './mfa/mfa.service';
import type { AuthUser } from '../core/auth/auth-user';
import { Page, PageQueryDto } from '../core/pagination/pagination';
import { SessionDto, toSessionDto } from './dto/session.dto';

const BAD_CREDENTIALS = 'No active account found with the given credentials.';
const UNVERIFIED =
  'Verify your e-mail address first: follow the link mailed to it, or ask for a new one at /api/auth/email/verify/resend/.';
/** What the Django projects' clients (seeds 002-004) read after a sign-up. */
const REGISTERED = 'User registered successfully';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    private readonly lockout: LockoutService,
    private readonly verification: EmailVerificationService,
    private readonly audit: AuditService,
    @InjectAppConfig() private readonly config: AppConfig,
    private readonly mfa: MfaService,
  ) {}

  async register(dto: RegisterDto, origin: RequestOrigin): Promise<RegisterResponseDto> {
    // Without a username, the password is compared with the one the email gives (`jane` of `jane@…`).
    const account = { username: dto.username ?? usernameBaseFromEmail(dto.email), email: dto.email };
    const problems = await passwordProblems(dto.password, account, this.config.passwordMinScore);
    if (problems.length > 0) {
      throw new InvalidFieldError('The password is not acceptable.', { password: problems });
    }
    const username = dto.username ?? undefined;
    // Before the (deliberately slow) hash: a taken name or phone is answered without spending it.
    await this.users.assertAvailable({ username, email: dto.email, phone: dto.phone });
    const user = await this.users.create(
      {
        username,
        email: dto.email,
        passwordHash: await hashPassword(dto.password),
        role: dto.role ?? Role.Patient,
        phone: dto.phone ?? null,
        fullName: dto.name ?? null,
      },
      origin,
    );
    await this.verification.send(user);
    return { message: REGISTERED, user: toUserDto(user), tokens: await this.tokens.issue(user, origin) };
  }

  /** The same answer, in about the same time, for an unknown account, a wrong password and an inactive account. */
  async login(dto: LoginDto, origin: RequestOrigin): Promise<LoginResponseDto | MfaChallengeDto> {
    const started = performance.now();
    const user = await this.users.findByLogin(dto);
    // A locked account is answered as a wrong password, after as long a check: nothing tells it apart.
    const locked = user !== null && this.lockout.isLocked(user);
    const passwordMatches = user && !locked ? await verifyPassword(user.passwordHash, dto.password) : await burnPasswordCheck(dto.password);
    if (!user || !passwordMatches || !user.isActive) {
      // Counted while the answer waits for its floor, so counting adds no time an unknown account lacks.
      const counted = user && !locked && !passwordMatches ? this.lockout.recordFailure(user, origin) : undefined;
      await Promise.all([awaitFailureFloor(started), counted]);
      this.audit.of({ id: user?.id ?? null, origin }, 'user').session('login', user?.id ?? null, 'failure');
      throw new NotAuthenticatedError(BAD_CREDENTIALS);
    }
    if (this.config.requireVerifiedEmail && !user.emailVerified) {
      // Told only with the right password: it says nothing a stranger could use.
      this.audit.of({ id: user.id, origin }, 'user').session('login', user.id, 'failure');
      throw new NotAuthenticatedError(UNVERIFIED);
    }
    // The second factor's step ends the login (auth/mfa/mfa.service.ts).
    if (this.mfa.isEnabled(user)) return this.mfa.challenge(user, origin);
    await this.users.recordLogin(user, hashIsOutdated(user.passwordHash) ? await hashPassword(dto.password) : undefined);
    await this.lockout.recordSuccess(user);
    this.audit.of({ id: user.id, origin }, 'user').session('login', user.id);
    return { ...(await this.tokens.issue(user, origin)), user: toUserDto(user) };
  }

  async refresh(refresh: string, origin: RequestOrigin): Promise<TokenPairDto> {
    const outcome = await this.tokens.rotate(refresh);
    if ('reuseDetected' in outcome) {
      // A spent token presented again: stolen, or the victim's copy after the thief used it.
      this.audit.of({ id: outcome.userId, origin }, 'user').denied('refresh_reuse', outcome.userId);
      throw new NotAuthenticatedError('The refresh token was already used; the session has been revoked.');
    }
    return outcome.tokens;
  }

  async logout(refresh: string, origin: RequestOrigin): Promise<void> {
    const userId = await this.tokens.revoke(refresh);
    this.audit.of({ id: userId, origin }, 'user').session('logout', userId);
  }

  async sessions(caller: AuthUser, query: PageQueryDto): Promise<Page<SessionDto>> {
    const sessions = await this.tokens.sessionsOf(caller.id, query);
    return sessions.map((session) => toSessionDto(session, caller.sessionId));
  }

  async endSession(caller: AuthUser, id: number): Promise<void> {
    await this.tokens.endSession(caller.id, id);
    this.audit.of(caller, 'user').session('session_end', caller.id);
  }

  /** Ends every session of the caller's account, and every access token issued until now. */
  async logoutAll(caller: AuthUser): Promise<void> {
    await this.tokens.endEverySession(caller.id);
    this.users.forget(caller.id);
    this.audit.of(caller, 'user').session('logout_all', caller.id);
  }

  async me(userId: number): Promise<UserDto> {
    return this.users.get(userId);
  }
}
