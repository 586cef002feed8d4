import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import type { AuthUser } from '../../core/auth/auth-user';
import { InjectAccessTokens } from '../../core/auth/token-signers';
import type { AppConfig } from '../../core/config/app-config';
import { InjectAppConfig } from '../../core/config/app-config.provider';
import { ConflictError, InvalidFieldError, NotAuthenticatedError } from '../../core/errors';
import type { RequestOrigin } from '../../core/http/request-origin';
import { toUserDto } from '../../users/dto/user.dto';
import { User } from '../../users/user.entity';
import { UsersService } from '../../users/users.service';
import { LoginResponseDto } from '../dto/tokens.dto';
import { TokensService } from '../tokens.service';
import { MfaChallengeDto, MfaLoginDto, RecoveryCodesDto, TotpDisableDto, TotpSetupDto } from './dto/mfa.dto';
import { LockoutService } from '../lockout.service';
import { MfaRepository } from './mfa.repository';
import { SecretBox } from './secret-box';

/** The mfa_token of a login's first step: signed with the access secret, but never an access token (its `type`). */
interface MfaTokenClaims {
  sub: string;
  jti: string;
  type: 'mfa';
  iat_ms: number;
}

/** How long the second step of a login may wait for its code. */
export const MFA_TOKEN_TTL_SECONDS = 300;
const RECOVERY_CODES = 10;
/** Seconds of clock drift accepted either way: one 30-second step before or after the current one. */
const DRIFT_SECONDS = 30;
const SIX_DIGITS = /^\d{6}$/;

const BAD_MFA_TOKEN = 'The two-factor login has expired or is not valid; log in again.';
const BAD_CODE = 'The code is wrong or was already used.';
const WRONG_CODE = 'The code is wrong; check that the clock of the device with the app is right.';
const WRONG_PASSWORD = 'The current password is wrong.';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** Recovery codes as typed: case, spaces and dashes do not matter. */
const normaliseRecoveryCode = (code: string) => code.toLowerCase().replace(/[\s-]/g, '');

/**
 * Two-factor authentication by TOTP (RFC 6238: SHA-1, 6 digits, 30 seconds, through otplib): set
 * up, enabled with a first code (which answers the recovery codes, once), disabled with the
 * password and a code, and the second step of a login. A code is accepted once: the account keeps
 * the last time step it accepted, and refuses that one and every earlier one.
 */
@Injectable()
export class MfaService {
  private readonly box: SecretBox;

  constructor(
    private readonly repository: MfaRepository,
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    private readonly audit: AuditService,
    private readonly lockout: LockoutService,
    @InjectAccessTokens() private readonly accessTokens: JwtService,
    // Only to open transactions; the statements are the repository's.
    @InjectDataSource() private readonly db: DataSource,
    @InjectAppConfig() private readonly config: AppConfig,
  ) {
    this.box = new SecretBox(config.mfa.encryptionKey);
  }

  isEnabled(user: User): boolean {
    return user.mfaEnabledAt != null;
  }

  /** The answer to a login whose password was right, of an account with MFA: a token for the second step, not a session. */
  async challenge(user: User, origin: RequestOrigin): Promise<MfaChallengeDto> {
    const claims: MfaTokenClaims = { sub: String(user.id), jti: randomUUID(), type: 'mfa', iat_ms: Date.now() };
    const mfaToken = await this.accessTokens.signAsync(claims, { expiresIn: MFA_TOKEN_TTL_SECONDS });
    this.audit.of({ id: user.id, origin }, 'user').session('mfa_challenge', user.id);
    return { mfa_required: true, mfa_token: mfaToken };
  }

  /** The second step of a login: the first step's token and a code (or a recovery code) answer the session. */
  async login(dto: MfaLoginDto, origin: RequestOrigin): Promise<LoginResponseDto> {
    if ((dto.code == null) === (dto.recovery_code == null)) {
      throw InvalidFieldError.of('code', 'Send either code or recovery_code.');
    }
    const claims = this.verifyMfaToken(dto.mfa_token);
    const user = await this.users.findActive(Number(claims.sub));
    // A session ended since the first step (a password change or reset, a logout everywhere) ends this login too.
    const ended = user?.tokensValidAfter != null && claims.iat_ms < user.tokensValidAfter.getTime();
    if (!user || !user.mfaSecret || !this.isEnabled(user) || ended) throw new NotAuthenticatedError(BAD_MFA_TOKEN);
    // A locked account's step is refused as a wrong code, without trying (or spending) the code:
    // otherwise an mfa_token would go on guessing codes past the lockout for its 5 minutes.
    const accepted =
      !this.lockout.isLocked(user) &&
      (dto.code != null ? await this.acceptCode(user, dto.code) : await this.spendRecoveryCode(user, dto.recovery_code!));
    if (!accepted) return this.wrongSecondFactor(user, origin);
    await this.lockout.recordSuccess(user);
    await this.users.recordLogin(user);
    this.audit.of({ id: user.id, origin }, 'user').session('login_mfa', user.id);
    return { ...(await this.tokens.issue(user, origin)), user: toUserDto(user) };
  }

  /** A login's wrong (or used) code or recovery code: 401, audited, and counted towards the lockout as a wrong password is. */
  private async wrongSecondFactor(user: User, origin: RequestOrigin): Promise<never> {
    this.audit.of({ id: user.id, origin }, 'user').session('login_mfa', user.id, 'failure');
    await this.lockout.recordFailure(user, origin);
    throw new NotAuthenticatedError(BAD_CODE);
  }

  /** A new secret, pending until a code of it enables it; a setup not finished is replaced. */
  async setup(caller: AuthUser): Promise<TotpSetupDto> {
    const user = await this.activeUser(caller);
    if (this.isEnabled(user)) throw new ConflictError('Two-factor authentication is already on; turn it off first to set up another app.');
    const { generateSecret, generateURI } = otp();
    const secret = generateSecret();
    await this.repository.setPendingSecret(this.db.manager, user.id, this.box.seal(secret, user.id));
    this.audit.of(caller, 'user').session('mfa_setup', user.id);
    const otpauthUrl = generateURI({ issuer: this.config.mfa.issuer, label: user.username, secret });
    return { secret, otpauth_url: otpauthUrl };
  }

  /** Turns MFA on once a code of the pending secret proves the app has it; answers the recovery codes, the only time they are shown. */
  async enable(caller: AuthUser, code: string): Promise<RecoveryCodesDto> {
    const user = await this.activeUser(caller);
    if (this.isEnabled(user)) throw new ConflictError('Two-factor authentication is already on.');
    const sealed = user.mfaPendingSecret;
    const secret = sealed && this.box.open(sealed, user.id);
    if (!sealed || !secret) throw new ConflictError('No two-factor setup is pending; start with POST /api/auth/mfa/totp/setup/.');
    const step = await verifyCode(secret, code, null);
    if (step === null) throw InvalidFieldError.of('code', WRONG_CODE);
    const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
    await this.db.transaction(async (manager) => {
      // The step of this code counts as used: it cannot log in too.
      if (!(await this.repository.enable(manager, user.id, sealed, step))) {
        throw new ConflictError('The setup changed meanwhile; set up again.');
      }
      await this.repository.replaceRecoveryCodes(manager, user.id, codes.map(normaliseRecoveryCode).map(sha256));
    });
    this.users.forget(user.id);
    this.audit.of(caller, 'user').session('mfa_enable', user.id);
    return { recovery_codes: codes };
  }

  /** Turns MFA off, given the password and a current code; the recovery codes go with it. */
  async disable(caller: AuthUser, dto: TotpDisableDto): Promise<void> {
    const user = await this.activeUser(caller);
    if (!this.isEnabled(user)) throw new ConflictError('Two-factor authentication is not on.');
    if (!(await this.lockout.confirmPassword(user, dto.current_password, caller.origin))) {
      this.audit.of(caller, 'user').denied('mfa_disable', user.id);
      throw InvalidFieldError.of('current_password', WRONG_PASSWORD);
    }
    if (!(await this.acceptCode(user, dto.code))) {
      this.audit.of(caller, 'user').denied('mfa_disable', user.id);
      throw InvalidFieldError.of('code', BAD_CODE);
    }
    await this.db.transaction((manager) => this.repository.disable(manager, user.id));
    this.users.forget(user.id);
    this.audit.of(caller, 'user').session('mfa_disable', user.id);
  }

  /** Whether `code` is a current code of the account's secret not used before; if so, it is used now. */
  private async acceptCode(user: User, code: string): Promise<boolean> {
    const secret = user.mfaSecret && this.box.open(user.mfaSecret, user.id);
    if (!secret) return false;
    const step = await verifyCode(secret, code, user.mfaLastStep);
    // The conditional update decides between two requests with the same code at once.
    return step !== null && this.repository.advanceLastStep(this.db.manager, user.id, step);
  }

  private spendRecoveryCode(user: User, code: string): Promise<boolean> {
    return this.repository.spendRecoveryCode(this.db.manager, user.id, sha256(normaliseRecoveryCode(code)));
  }

  private verifyMfaToken(token: string): MfaTokenClaims {
    try {
      const claims = this.accessTokens.verify<MfaTokenClaims>(token);
      if (claims.type !== 'mfa' || !Number.isSafeInteger(Number(claims.sub)) || typeof claims.iat_ms !== 'number') {
        throw new Error('not an mfa token');
      }
      return claims;
    } catch {
      throw new NotAuthenticatedError(BAD_MFA_TOKEN);
    }
  }

  private async activeUser(caller: AuthUser): Promise<User> {
    const user = await this.users.findActive(caller.id);
    if (!user) throw new NotAuthenticatedError('The account is not active.');
    return user;
  }
}

/**
 * otplib, loaded at the first MFA setup or code: with its hash and base32 plugins some 10 modules
 * that a service start would otherwise load before it is ready.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
const otp = () => require('otplib') as typeof import('otplib');

/** The time step `code` is the code of (±1 step of drift), if it is later than `after`; null otherwise. */
async function verifyCode(secret: string, code: string, after: number | null): Promise<number | null> {
  if (!SIX_DIGITS.test(code)) return null;
  try {
    const result = await otp().verify({ secret, token: code, epochTolerance: DRIFT_SECONDS, afterTimeStep: after ?? undefined });
    // A TOTP result has the time step; the union type also covers HOTP's.
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  } catch {
    return null;
  }
}

/** 64 random bits as four groups of four hex digits: easy to copy by hand, too many to guess. */
function newRecoveryCode(): string {
  return randomBytes(8).toString('hex').match(/.{4}/g)!.join('-');
}
