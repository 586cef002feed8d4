import { JwtService } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import { hashPassword } from '../../src/auth/passwords';
import { TokensService } from '../../src/auth/tokens.service';
import { Role } from '../../src/core/auth/role';
import { User } from '../../src/users/user.entity';
import { TEST_ACCESS_SECRET, TEST_PASSWORD, TestApp, TestUser, uniqueName } from './test-app';

const jwt = new JwtService();

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An access token signed with the test secret; `exp`/`iat` in the claims override the defaults. */
export function signAccessToken(claims: Record<string, unknown>, secret = TEST_ACCESS_SECRET): string {
  const now = Math.floor(Date.now() / 1000);
  return jwt.sign({ type: 'access', iat: now, exp: now + 900, ...claims }, { secret, algorithm: 'HS256' });
}

/** An access token for `user` whose expiry is already past. */
export function expiredAccessToken(user: Pick<TestUser, 'id' | 'username' | 'role'>): string {
  const now = Math.floor(Date.now() / 1000);
  return signAccessToken({ sub: String(user.id), username: user.username, role: user.role, iat: now - 3600, exp: now - 60 });
}

/** The claims of `token`, signature unchecked. */
export function decodeClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
}

/** The same claims as `token`, unsigned, with header `{"alg":"none","typ":"JWT"}`. */
export function unsignedToken(token: string): string {
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(decodeClaims(token))}.`;
}

/** `token` with its payload changed (role raised to admin) but the original signature kept. */
export function tamperedToken(token: string): string {
  const [header, , signature] = token.split('.');
  return `${header}.${base64url({ ...decodeClaims(token), role: 'admin', sub: '1' })}.${signature}`;
}

/** TEST_PASSWORD hashed once per test file, for `insertUser({ withPassword: true })`. */
let passwordHash: Promise<string> | undefined;

/**
 * A user written straight to the database with a hand-signed access token: no HTTP request and
 * no argon2 hash, for tests that must not spend a rate limit or time on registering. It can log
 * in (with TEST_PASSWORD) only `withPassword`; its `refresh` is empty (see newSession).
 */
export async function insertUser(
  db: DataSource,
  options: { role?: Role; accessSecret?: string; withPassword?: boolean } = {},
): Promise<TestUser> {
  const { role = Role.Patient, accessSecret = TEST_ACCESS_SECRET, withPassword = false } = options;
  const username = uniqueName('fast');
  const hash = withPassword ? await (passwordHash ??= hashPassword(TEST_PASSWORD)) : 'not-a-hash';
  const user = await db.getRepository(User).save({ username, email: `${username}@clinic.example`, passwordHash: hash, role });
  const access = signAccessToken({ sub: String(user.id), username, role }, accessSecret);
  return { id: user.id, username, email: user.email, role, password: withPassword ? TEST_PASSWORD : '', access, refresh: '' };
}

/**
 * A new session (refresh-token family) for `user`, as a login would start it but without the
 * password check, which costs an argon2 verification.
 */
export async function newSession(t: TestApp, user: Pick<TestUser, 'id'>): Promise<{ access: string; refresh: string }> {
  const entity = await t.db.getRepository(User).findOneByOrFail({ id: user.id });
  return t.app.get(TokensService).issue(entity);
}
