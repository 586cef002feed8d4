import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../core/auth/auth-user';
import { ConflictError, InvalidFieldError, NotAuthenticatedError } from '../core/errors';
import type { RequestOrigin } from '../core/http/request-origin';
import { CreateUserDto } from '../users/dto/create-user.dto';
import { toUserDto, UserDto } from '../users/dto/user.dto';
import { UsersService } from '../users/users.service';
import { CredentialsService } from './credentials.service';
import { EmailVerificationService } from './email-verification.service';
import { LockoutService } from './lockout.service';
import { UpdateMeDto } from './dto/update-me.dto';
import { TokensService } from './tokens.service';

const WRONG_PASSWORD = 'The current password is wrong.';
const PASSWORD_NEEDED = 'The current password is needed to change the email.';

/**
 * A hash no password matches, as Django's unusable passwords (`!` and random characters): in no
 * format verifyPassword knows, so every login with it fails, as slowly as a wrong password.
 */
const unusablePasswordHash = () => `!${randomBytes(30).toString('base64url')}`;

/**
 * What admins do to accounts beyond their fields, and an account's changes to itself: the parts
 * that need the credentials and sessions of this module, which the users module cannot import
 * (this one imports it).
 */
@Injectable()
export class AccountsService {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    private readonly credentials: CredentialsService,
    private readonly verification: EmailVerificationService,
    private readonly lockout: LockoutService,
    private readonly audit: AuditService,
  ) {}

  /**
   * An account without a usable password, whose owner gets a mail with a link to choose one
   * (a reset token valid for a week), sent once the account is committed.
   */
  async create(dto: CreateUserDto, admin: AuthUser, origin: RequestOrigin): Promise<UserDto> {
    const user = await this.users.create(
      {
        username: dto.username ?? undefined,
        email: dto.email,
        passwordHash: unusablePasswordHash(),
        role: dto.role,
        phone: dto.phone ?? null,
        fullName: dto.name ?? null,
      },
      origin,
      { by: { id: admin.id, origin }, within: (manager, created) => this.credentials.mailSetupLink(manager, created) },
    );
    return toUserDto(user);
  }

  /** Ends every session of the account and every access token issued to it until now. */
  async endSessions(id: number, admin: AuthUser): Promise<void> {
    await this.users.require(id);
    await this.tokens.endEverySession(id);
    this.users.forget(id);
    this.audit.of(admin, 'user').session('logout_all', id);
  }

  /** Mails the account a reset link, as its owner's own request would; a deactivated account could not use it. */
  async sendPasswordReset(id: number, admin: AuthUser): Promise<void> {
    const user = await this.users.require(id);
    if (!user.isActive) throw new ConflictError('The account is deactivated: reactivate it before resetting its password.');
    await this.credentials.sendResetLink(user, admin);
  }

  /** The caller's name and phone, and their email given the current password. */
  async updateMe(caller: AuthUser, dto: UpdateMeDto): Promise<UserDto> {
    const user = await this.users.findActive(caller.id);
    if (!user) throw new NotAuthenticatedError('The account is not active.');
    const newEmail = dto.email !== undefined && dto.email !== user.email ? dto.email : undefined;
    if (newEmail !== undefined) {
      if (dto.current_password === undefined) throw new InvalidFieldError(PASSWORD_NEEDED, { current_password: [PASSWORD_NEEDED] });
      if (!(await this.lockout.confirmPassword(user, dto.current_password, caller.origin))) {
        this.audit.of(caller, 'user').denied('update', user.id, ['email']);
        throw new InvalidFieldError(WRONG_PASSWORD, { current_password: [WRONG_PASSWORD] });
      }
      await this.users.assertEmailFree(user, newEmail);
    }
    const updated = await this.users.updateOwn(caller, user, { fullName: dto.name, phone: dto.phone });
    // A new address becomes the account's email only once its owner follows the link mailed to it.
    if (newEmail !== undefined) await this.verification.send(user, newEmail);
    return updated;
  }
}
