import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../core/auth/auth-user';
import { columnsOf, query, selectOne, sql, type Sql } from '../core/database/sql';
import { likePattern, parseOrdering } from '../core/pagination/ordering';
import { Page } from '../core/pagination/pagination';
import { selectPage } from '../core/pagination/select-page';
import { accountNameSkeleton } from './account-names';
import { ListUsersQuery } from './dto/list-users.query';
import { User } from './user.entity';

/** A new account's stored fields (the repository sets the skeletons of its username and email). */
export type NewUserRow = Pick<User, 'username' | 'email' | 'passwordHash' | 'role'> & Partial<Pick<User, 'phone' | 'fullName'>>;

/** The names of accounts, for the check that a new account's names are free. */
export type UserNames = Pick<User, 'username' | 'email' | 'usernameSkeleton' | 'emailSkeleton'>;

/** `?ordering=` field → column. */
const ORDER_COLUMNS: Record<string, string> = {
  id: 'id',
  username: 'username',
  email: 'email',
  date_joined: 'date_joined',
  last_login: 'last_login',
};

/** `value` matched literally in a LIKE pattern (PostgreSQL's default escape character is the backslash). */
const escapeLike = (value: string) => value.replace(/[\\%_]/g, (char) => `\\${char}`);

/** A column's value, or its default when the entity leaves it undefined (as TypeORM inserts it). */
const orDefault = (value: unknown) => (value === undefined ? sql.raw('DEFAULT') : value);

/** Whether `save` leaves a field as stored: the same value (a Date to the millisecond), or none given. */
const sameValue = (given: unknown, stored: unknown) =>
  given === undefined || (given instanceof Date && stored instanceof Date ? given.getTime() === stored.getTime() : given === stored);

/**
 * Every statement on `users`, hand-written (src/core/database/sql.ts): the caller's lookup, sent
 * on every request the cache does not answer, is a hot path of the benchmark, and the rest is in
 * the same style so the repository has one. Username and email are citext columns, so `=` on them
 * compares case-insensitively. An insert sets the skeletons of the username and email itself
 * (users/account-names.ts), which UserSkeletonsSubscriber does for an account inserted through
 * TypeORM; a write sets `updated_at` itself, as the entity declares it.
 */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The active account behind an access token, with only what a request needs of it. */
  findActiveCaller(id: number): Promise<AuthUser | null> {
    return selectOne<AuthUser>(
      this.db.manager,
      sql`SELECT id, username, role, (extract(epoch FROM tokens_valid_after) * 1000)::float8 AS "tokensValidAfter",
                 mfa_enabled_at IS NOT NULL AS "mfaEnabled",
                 (SELECT coalesce(json_agg(json_build_object('id', cm.clinic_id, 'role', cm.role) ORDER BY cm.clinic_id), '[]')
                  FROM clinic_members cm WHERE cm.user_id = users.id AND cm.status = 'active') AS clinics
          FROM users WHERE id = ${id} AND is_active`,
    );
  }

  findById(id: number): Promise<User | null> {
    return this.findOneWhere(sql`account.id = ${id}`);
  }

  /** Username and email are citext columns, so both match case-insensitively. */
  findByUsername(username: string): Promise<User | null> {
    return this.findOneWhere(sql`account.username = ${username}`);
  }

  findByEmail(email: string): Promise<User | null> {
    return this.findOneWhere(sql`account.email = ${email}`);
  }

  private findOneWhere(condition: Sql): Promise<User | null> {
    const manager = this.db.manager;
    return selectOne<User>(manager, sql`SELECT ${columnsOf(manager, User, 'account')} FROM users account WHERE ${condition} LIMIT 1`);
  }

  /** The accounts whose username, email or one of their skeletons is one of these (a username left out matches nothing). */
  findNameHolders(names: { username?: string; email: string; usernameSkeleton?: string; emailSkeleton: string }): Promise<UserNames[]> {
    const { username, email, usernameSkeleton, emailSkeleton } = names;
    const matches = [sql`email = ${email}`, sql`email_skeleton = ${emailSkeleton}`];
    if (username !== undefined && usernameSkeleton !== undefined) {
      matches.push(sql`username = ${username}`, sql`username_skeleton = ${usernameSkeleton}`);
    }
    return query<UserNames>(
      this.db.manager,
      sql`SELECT username, email, username_skeleton AS "usernameSkeleton", email_skeleton AS "emailSkeleton"
          FROM users WHERE ${sql.join(matches, ' OR ')}`,
    );
  }

  /** The accounts whose username, or its skeleton, starts with these: the names a derived username must not repeat. */
  findUsernamesStartingWith(username: string, usernameSkeleton: string): Promise<Pick<User, 'username' | 'usernameSkeleton'>[]> {
    return query<Pick<User, 'username' | 'usernameSkeleton'>>(
      this.db.manager,
      sql`SELECT username, username_skeleton AS "usernameSkeleton" FROM users
          WHERE username ILIKE ${`${escapeLike(username)}%`} OR username_skeleton LIKE ${`${escapeLike(usernameSkeleton)}%`}`,
    );
  }

  /** Whether an account other than `exceptId` has this phone number, compared as users_phone_key compares (digits and `+`). */
  async phoneIsTaken(phone: string, exceptId?: number): Promise<boolean> {
    const holder = await selectOne<{ id: number }>(
      this.db.manager,
      sql`SELECT id FROM users WHERE regexp_replace(phone, '[^0-9+]', '', 'g') = regexp_replace(${phone}, '[^0-9+]', '', 'g') LIMIT 1`,
    );
    return holder !== null && holder.id !== exceptId;
  }

  /**
   * A page of the accounts the query's filters admit, in its order (then by id), and how many
   * there are. No index serves the search, the filters or the orders by date: an admin's list may
   * read the table, as its count does anyway. Measured on 200,000 accounts (a loaded 2-core
   * machine): 0.1-0.4 s unfiltered in any order, 1.4-1.8 s for a search, which reads the table
   * twice (page and count); a trigram index would take a search to ~20 ms, at a cost to every
   * write of an account, should the list ever grow that large.
   */
  findPage(query: ListUsersQuery): Promise<Page<User>> {
    const manager = this.db.manager;
    const where: Sql[] = [];
    if (query.search) {
      const pattern = sql.param(likePattern(query.search));
      where.push(
        sql`(account.username::text ILIKE ${pattern} OR account.email::text ILIKE ${pattern} OR account.full_name ILIKE ${pattern} OR account.phone ILIKE ${pattern})`,
      );
    }
    if (query.role) where.push(sql`account.role = ${query.role}`);
    if (query.is_active !== undefined) where.push(sql`account.is_active = ${query.is_active}`);
    const { field, direction } = parseOrdering(query.ordering);
    // Accounts that never logged in come last either way; PostgreSQL would put them first in DESC.
    const nulls = field === 'last_login' ? sql` NULLS LAST` : sql.empty;
    const orderBy = sql`account.${sql.identifier(ORDER_COLUMNS[field])} ${sql.raw(direction)}${nulls}${field === 'id' ? sql.empty : sql`, account.id ASC`}`;
    return selectPage<User>(manager, { select: columnsOf(manager, User, 'account'), from: sql`users account`, where, orderBy }, query);
  }

  /** A new account without an id yet (for `save`). */
  build(fields: Partial<User>): User {
    return this.db.manager.create(User, fields);
  }

  /** Inserts a new account in the caller's transaction; the account as stored. */
  async insert(manager: EntityManager, user: NewUserRow): Promise<User> {
    const created = manager.create(User, user);
    await this.insertRow(manager, created);
    return created;
  }

  /**
   * Writes the account in the caller's transaction, inserted when it has no id yet. Otherwise, as
   * TypeORM's save did: the stored row is read, and only the fields that differ from it are
   * written, with `updated_at`; nothing when none does (a timestamp is not rewritten at the
   * millisecond precision of a Date). It takes the row as stored.
   */
  async save(manager: EntityManager, user: User): Promise<User> {
    if (user.id === undefined) {
      await this.insertRow(manager, user);
      return user;
    }
    const stored = await selectOne<User>(
      manager,
      sql`SELECT ${columnsOf(manager, User, 'account')} FROM users account WHERE account.id = ${user.id}`,
    );
    if (!stored) throw new Error(`No account ${user.id} to save`);
    // Every column but the id and the timestamps, from the entity's metadata, so that it follows the entity.
    const changes = manager.connection
      .getMetadata(User)
      .columns.filter((column) => !column.isPrimary && !column.isCreateDate && !column.isUpdateDate)
      .filter((column) => !sameValue(column.getEntityValue(user), column.getEntityValue(stored)))
      .map((column) => sql`${sql.identifier(column.databaseName)} = ${column.getEntityValue(user)}`);
    if (changes.length === 0) return user;
    const row = await selectOne<User>(
      manager,
      sql`UPDATE users account SET ${sql.join(changes, ', ')}, updated_at = now() WHERE id = ${user.id}
          RETURNING ${columnsOf(manager, User, 'account')}`,
    );
    Object.assign(user, row);
    return user;
  }

  /**
   * Inserts `user` with the skeletons of its username and email (their unique indexes refuse a
   * look-alike of an existing account even when two registrations race); what it leaves undefined
   * takes the column's default. It takes the row as stored.
   */
  private async insertRow(manager: EntityManager, u: User): Promise<void> {
    u.usernameSkeleton = accountNameSkeleton(u.username);
    u.emailSkeleton = accountNameSkeleton(u.email);
    const row = await selectOne<User>(
      manager,
      sql`INSERT INTO users AS account (username, email, username_skeleton, email_skeleton, password_hash, phone, full_name, role,
            is_active, email_verified, date_joined, last_login, tokens_valid_after)
          VALUES (${u.username}, ${u.email}, ${u.usernameSkeleton}, ${u.emailSkeleton}, ${u.passwordHash}, ${orDefault(u.phone)},
            ${orDefault(u.fullName)}, ${orDefault(u.role)}, ${orDefault(u.isActive)}, ${orDefault(u.emailVerified)}, ${orDefault(u.dateJoined)},
            ${orDefault(u.lastLogin)}, ${orDefault(u.tokensValidAfter)})
          RETURNING ${columnsOf(manager, User, 'account')}`,
    );
    Object.assign(u, row);
  }

  /** Stamps a login; with a new hash when the password was rehashed. */
  async recordLogin(id: number, lastLogin: Date, passwordHash?: string): Promise<void> {
    await query(
      this.db.manager,
      sql`UPDATE users SET last_login = ${lastLogin}${passwordHash ? sql`, password_hash = ${passwordHash}` : sql.empty}, updated_at = now()
          WHERE id = ${id}`,
    );
  }

  /**
   * Ends the account's sessions in the caller's transaction (a deactivation): their refresh tokens
   * are revoked and its access tokens issued until now refused, also should it be reactivated.
   */
  async endSessions(manager: EntityManager, userId: number): Promise<void> {
    const now = new Date();
    await query(manager, sql`UPDATE sessions SET ended_at = ${now}, updated_at = now() WHERE user_id = ${userId} AND ended_at IS NULL`);
    await query(
      manager,
      sql`UPDATE refresh_tokens SET revoked_at = ${now}, updated_at = now() WHERE user_id = ${userId} AND revoked_at IS NULL`,
    );
    await query(manager, sql`UPDATE users SET tokens_valid_after = ${now}, updated_at = now() WHERE id = ${userId}`);
  }
}
