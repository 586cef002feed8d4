import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, ILike, IsNull, Like, Raw, Repository } from 'typeorm';
import { RefreshToken } from '../auth/refresh-token.entity';
import { Session } from '../auth/session.entity';
import type { AuthUser } from '../core/auth/auth-user';
import { selectOne, sql } from '../core/database/sql';
import { User } from './user.entity';

/** A new account's stored fields (the skeletons are set on insert, see user-skeletons.subscriber.ts). */
export type NewUserRow = Pick<User, 'username' | 'email' | 'passwordHash' | 'role'> & Partial<Pick<User, 'phone' | 'fullName'>>;

/** The names of accounts, for the check that a new account's names are free. */
export type UserNames = Pick<User, 'username' | 'email' | 'usernameSkeleton' | 'emailSkeleton'>;

/**
 * Every statement on `users`, through TypeORM's repository API; the caller's lookup, sent on every
 * request the cache does not answer, is hand-written (see core/database/sql.ts).
 */
/** `value` matched literally in a LIKE pattern (PostgreSQL's default escape character is the backslash). */
const escapeLike = (value: string) => value.replace(/[\\%_]/g, (char) => `\\${char}`);

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** The active account behind an access token, with only what a request needs of it. */
  findActiveCaller(id: number): Promise<AuthUser | null> {
    return selectOne<AuthUser>(
      this.users.manager,
      sql`SELECT id, username, role, (extract(epoch FROM tokens_valid_after) * 1000)::float8 AS "tokensValidAfter",
                 mfa_enabled_at IS NOT NULL AS "mfaEnabled"
          FROM users WHERE id = ${id} AND is_active`,
    );
  }

  findById(id: number): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /** Username and email are citext columns, so both match case-insensitively. */
  findByUsername(username: string): Promise<User | null> {
    return this.users.findOneBy({ username });
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email });
  }

  /** The accounts whose username, email or one of their skeletons is one of these (a username left out matches nothing). */
  findNameHolders(names: { username?: string; email: string; usernameSkeleton?: string; emailSkeleton: string }): Promise<UserNames[]> {
    const { username, email, usernameSkeleton, emailSkeleton } = names;
    return this.users.find({
      where: [
        { email },
        { emailSkeleton },
        ...(username !== undefined && usernameSkeleton !== undefined ? [{ username }, { usernameSkeleton }] : []),
      ],
      select: { username: true, email: true, usernameSkeleton: true, emailSkeleton: true },
    });
  }

  /** The accounts whose username, or its skeleton, starts with these: the names a derived username must not repeat. */
  findUsernamesStartingWith(username: string, usernameSkeleton: string): Promise<Pick<User, 'username' | 'usernameSkeleton'>[]> {
    return this.users.find({
      where: [{ username: ILike(`${escapeLike(username)}%`) }, { usernameSkeleton: Like(`${escapeLike(usernameSkeleton)}%`) }],
      select: { username: true, usernameSkeleton: true },
    });
  }

  /** Whether an account other than `exceptId` has this phone number, compared as users_phone_key compares (digits and `+`). */
  async phoneIsTaken(phone: string, exceptId?: number): Promise<boolean> {
    const holder = await this.users.findOne({
      where: {
        phone: Raw((column) => `regexp_replace(${column}, '[^0-9+]', '', 'g') = regexp_replace(:phone, '[^0-9+]', '', 'g')`, { phone }),
      },
      select: { id: true },
    });
    return holder !== null && holder.id !== exceptId;
  }

  /** A page of accounts in id order, and how many there are. */
  findPage(offset: number, limit: number): Promise<[User[], number]> {
    return this.users.findAndCount({ order: { id: 'ASC' }, skip: offset, take: limit });
  }

  /** A new account without an id yet (for `save`). */
  build(fields: Partial<User>): User {
    return this.users.create(fields);
  }

  /** Inserts a new account in the caller's transaction. */
  insert(manager: EntityManager, user: NewUserRow): Promise<User> {
    return manager.save(manager.create(User, user));
  }

  /** Writes the account (inserted when it has no id yet) in the caller's transaction. */
  save(manager: EntityManager, user: User): Promise<User> {
    return manager.save(user);
  }

  /** Stamps a login; with a new hash when the password was rehashed. */
  async recordLogin(id: number, lastLogin: Date, passwordHash?: string): Promise<void> {
    await this.users.update(id, { lastLogin, ...(passwordHash ? { passwordHash } : {}) });
  }

  /**
   * Ends the account's sessions in the caller's transaction (a deactivation): their refresh tokens
   * are revoked and its access tokens issued until now refused, also should it be reactivated.
   */
  async endSessions(manager: EntityManager, userId: number): Promise<void> {
    const now = new Date();
    await manager.update(Session, { userId, endedAt: IsNull() }, { endedAt: now });
    await manager.update(RefreshToken, { userId, revokedAt: IsNull() }, { revokedAt: now });
    await manager.update(User, userId, { tokensValidAfter: now });
  }
}
