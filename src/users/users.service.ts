import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuditActor, AuditService } from '../audit/audit.service';
import { AuthUser } from '../core/auth/auth-user';
import { ConflictError, NotFoundError } from '../core/errors';
import { describeConstraint } from '../core/http/problem';
import type { RequestOrigin } from '../core/http/request-origin';
import { Page } from '../core/pagination/pagination';
import { accountNameSkeleton, usernameBaseFromEmail, usernameCandidates } from './account-names';
import { CallerCache } from './caller-cache';
import { ListUsersQuery } from './dto/list-users.query';
import { UpdateUserDto } from './dto/update-user.dto';
import { toUserDto, UserDto } from './dto/user.dto';
import { Role } from '../core/auth/role';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';

const USERNAME_TAKEN = 'A user with that username already exists.';
const EMAIL_TAKEN = 'A user with that email already exists.';
const PHONE_TAKEN = 'A user with that phone number already exists.';
// A look-alike of an account's name is answered exactly like the name itself.
describeConstraint('users_username_key', USERNAME_TAKEN, 'username');
describeConstraint('users_username_skeleton_key', USERNAME_TAKEN, 'username');
describeConstraint('users_email_key', EMAIL_TAKEN, 'email');
describeConstraint('users_email_skeleton_key', EMAIL_TAKEN, 'email');
describeConstraint('users_phone_key', PHONE_TAKEN, 'phone');

/** The constraints a username breaks when another account has it (or a look-alike): a derived one then takes the next number. */
const USERNAME_CONSTRAINTS = new Set(['users_username_key', 'users_username_skeleton_key']);
/** Inserts tried for a derived username before a lost race is answered with 409: each loses only to a registration of the same name. */
const DERIVED_USERNAME_ATTEMPTS = 5;

export interface NewUser {
  /** Left out: derived from the email (`jane@…` is `jane`, or `jane2`, `jane3`, … when taken). */
  username?: string;
  email: string;
  passwordHash: string;
  role: Role;
  phone?: string | null;
  fullName?: string | null;
}

/** What an account may change on itself (PATCH /api/auth/me/); the caller has checked the password an email change needs. */
export interface OwnChanges {
  fullName?: string | null;
  phone?: string | null;
}

/** Who made an account (itself, when left out) and what else its transaction holds. */
export interface Creation {
  /** The admin who made it; a registration has no other actor than the account itself. */
  by?: AuditActor;
  /** Run in the account's transaction once it is inserted (the set-password link of an account made by an admin). */
  within?: (manager: EntityManager, created: User) => Promise<void>;
}

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    // Only to open transactions; the statements are the repository's.
    @InjectDataSource() private readonly db: DataSource,
    private readonly callers: CallerCache,
    private readonly audit: AuditService,
  ) {}

  /** The caller behind an access token, asked for on every request: remembered, or loaded (hand-written SQL, see core/database/sql.ts). */
  findActiveById(id: number): Promise<Readonly<AuthUser> | null> {
    return this.callers.get(id, () => this.users.findActiveCaller(id));
  }

  /** The whole account, if it exists and is active. */
  async findActive(id: number): Promise<User | null> {
    const user = await this.users.findById(id);
    return user?.isActive ? user : null;
  }

  /** Forgets the remembered caller after a change made outside this service (a password, the sessions). */
  forget(id: number): void {
    this.callers.forget(id);
  }

  /** Username and email are citext columns, so both match case-insensitively. */
  findByLogin(login: { username?: string | null; email?: string | null }): Promise<User | null> {
    // `!= null`: TypeORM refuses a null in a where clause, and a JSON body can send one.
    if (login.username != null) return this.users.findByUsername(login.username);
    if (login.email != null) return this.users.findByEmail(login.email);
    return Promise.resolve(null);
  }

  /**
   * A new account, audited as created by itself (a registration has no other actor). `username`
   * and `email` come normalised (users/account-names.ts); the skeletons are set on insert. Without
   * a username, the first free one derived from the email is taken; the unique indexes decide a
   * race, and the loser takes the next.
   */
  async create(user: NewUser, origin?: RequestOrigin, creation: Creation = {}): Promise<User> {
    const how = { ...creation, origin };
    await this.assertAvailable(user);
    const { username } = user;
    // The unique indexes still decide a race; the filter maps them to the same 409.
    if (username !== undefined) return this.insert({ ...user, username }, how);
    const base = usernameBaseFromEmail(user.email);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.insert({ ...user, username: await this.freeUsername(base) }, how);
      } catch (error) {
        if (attempt >= DERIVED_USERNAME_ATTEMPTS || !USERNAME_CONSTRAINTS.has(violatedConstraint(error) ?? '')) throw error;
      }
    }
  }

  private insert(user: NewUser & { username: string }, { origin, by, within }: Creation & { origin?: RequestOrigin }): Promise<User> {
    const given = [
      'username',
      'email',
      // An account an admin makes has no password until its owner chooses one.
      ...(by ? [] : ['password']),
      'role',
      ...(user.phone != null ? ['phone'] : []),
      ...(user.fullName != null ? ['name'] : []),
    ];
    return this.db.transaction(async (manager) => {
      const created = await this.users.insert(manager, user);
      await this.audit.of(by ?? { id: created.id, origin }, 'user').changed(manager, 'create', created.id, given);
      await within?.(manager, created);
      return created;
    });
  }

  /** The first of `base`, `base2`, `base3`, … that no account has, in any case or as a look-alike. */
  private async freeUsername(base: string): Promise<string> {
    const holders = await this.users.findUsernamesStartingWith(base, accountNameSkeleton(base));
    const names = new Set(holders.map((holder) => holder.username.toLowerCase()));
    const skeletons = new Set(holders.map((holder) => holder.usernameSkeleton));
    for (const candidate of usernameCandidates(base)) {
      if (!names.has(candidate.toLowerCase()) && !skeletons.has(accountNameSkeleton(candidate))) return candidate;
    }
    throw new ConflictError(USERNAME_TAKEN, { username: [USERNAME_TAKEN] });
  }

  /** Stamps the login on the account and on `user`, so the login response shows it. */
  /** Notes a successful login, and stores the password's new hash when it was rehashed. */
  async recordLogin(user: User, newPasswordHash?: string): Promise<void> {
    user.lastLogin = new Date();
    if (newPasswordHash) user.passwordHash = newPasswordHash;
    await this.users.recordLogin(user.id, user.lastLogin, newPasswordHash);
  }

  async list(query: ListUsersQuery): Promise<Page<UserDto>> {
    return (await this.users.findPage(query)).map(toUserDto);
  }

  async get(id: number): Promise<UserDto> {
    return toUserDto(await this.require(id));
  }

  /** Deactivation also revokes the account's refresh tokens, so reactivation does not revive old sessions. */
  async update(id: number, changes: UpdateUserDto, admin: AuthUser): Promise<UserDto> {
    const user = await this.require(id);
    if (user.id === admin.id && (changes.is_active === false || (changes.role && changes.role !== Role.Admin))) {
      throw new ConflictError('You cannot deactivate your own account or remove your own admin role.');
    }
    const changedFields: string[] = [];
    if (changes.role !== undefined && changes.role !== user.role) changedFields.push('role');
    if (changes.is_active !== undefined && changes.is_active !== user.isActive) changedFields.push('is_active');
    if (changes.email !== undefined && (await this.changeEmail(user, changes.email))) changedFields.push('email');
    if (changes.role !== undefined) user.role = changes.role;
    if (changes.is_active !== undefined) user.isActive = changes.is_active;
    await this.db.transaction(async (manager) => {
      await this.users.save(manager, user);
      if (!user.isActive) await this.users.endSessions(manager, user.id);
      await this.audit.of(admin, 'user').changed(manager, 'update', user.id, changedFields);
    });
    this.callers.forget(user.id);
    return toUserDto(user);
  }

  /** The caller's own name and phone; `user` is the caller's account. Audited with the fields that changed. */
  async updateOwn(caller: AuthUser, user: User, changes: OwnChanges): Promise<UserDto> {
    const changedFields: string[] = [];
    if (changes.fullName !== undefined && changes.fullName !== user.fullName) {
      user.fullName = changes.fullName;
      changedFields.push('name');
    }
    if (changes.phone !== undefined && changes.phone !== user.phone) {
      if (changes.phone !== null && (await this.users.phoneIsTaken(changes.phone, user.id))) {
        throw new ConflictError(PHONE_TAKEN, { phone: [PHONE_TAKEN] });
      }
      user.phone = changes.phone;
      changedFields.push('phone');
    }
    await this.db.transaction(async (manager) => {
      await this.users.save(manager, user);
      await this.audit.of(caller, 'user').changed(manager, 'update', user.id, changedFields);
    });
    this.callers.forget(user.id);
    return toUserDto(user);
  }

  /** 409 naming `email` when another account has it or a look-alike (the unique indexes decide a race). */
  async assertEmailFree(user: User, email: string): Promise<void> {
    const errors = await findTakenNames(this.users, undefined, email, user);
    if (errors.email) throw new ConflictError(EMAIL_TAKEN, { email: errors.email });
  }

  /**
   * An admin sets `email` on `user` (saved by the caller): at once, and verified, as the admin
   * vouches for it (an owner's own change waits for the verification link instead). False when
   * it is the account's email already.
   */
  async changeEmail(user: User, email: string): Promise<boolean> {
    if (email === user.email) return false;
    await this.assertEmailFree(user, email);
    user.email = email;
    // Set on insert by UserSkeletonsSubscriber; an update keeps it in step here.
    user.emailSkeleton = accountNameSkeleton(email);
    user.emailVerified = true;
    return true;
  }

  /** The account, whatever its state; 404 when there is none. */
  async require(id: number): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw new NotFoundError('User not found.');
    return user;
  }

  /** 409 naming each of username, email and phone that another account already has (see findTakenNames). */
  async assertAvailable(account: { username?: string; email: string; phone?: string | null }): Promise<void> {
    const errors = await findTakenNames(this.users, account.username, account.email);
    if (account.phone != null && (await this.users.phoneIsTaken(account.phone))) errors.phone = [PHONE_TAKEN];
    if (Object.keys(errors).length > 0) {
      throw new ConflictError(Object.values(errors).flat().join(' '), errors);
    }
  }
}

/** The unique constraint `error` broke, if it is one's violation. */
function violatedConstraint(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' ? driverError.constraint : undefined;
}

/**
 * What is wrong with `username` and `email` for a new account, by field: another account has it,
 * in any case or in characters that look the same (the same skeleton). An account that is itself
 * a look-alike of an older one has no skeleton; the older one answers for it.
 */
export async function findTakenNames(
  users: UsersRepository,
  username: string | undefined,
  email: string,
  /** An account whose own names do not count (one changing its email): usernames are unique, so its username names it. */
  except?: Pick<User, 'username'>,
): Promise<Record<string, string[]>> {
  const usernameSkeleton = username === undefined ? undefined : accountNameSkeleton(username);
  const emailSkeleton = accountNameSkeleton(email);
  const holders = await users.findNameHolders({ username, email, usernameSkeleton, emailSkeleton });
  const taken = except ? holders.filter((u) => u.username.toLowerCase() !== except.username.toLowerCase()) : holders;
  const errors: Record<string, string[]> = {};
  if (
    username !== undefined &&
    taken.some((u) => u.usernameSkeleton === usernameSkeleton || u.username.toLowerCase() === username.toLowerCase())
  ) {
    errors.username = [USERNAME_TAKEN];
  }
  if (taken.some((u) => u.emailSkeleton === emailSkeleton || u.email.toLowerCase() === email.toLowerCase())) {
    errors.email = [EMAIL_TAKEN];
  }
  return errors;
}
