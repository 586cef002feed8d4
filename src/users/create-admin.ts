import { DataSource } from 'typeorm';
import { AuditRepository } from '../audit/audit.repository';
import { changesOf } from '../audit/audit.service';
import { hashPassword, passwordProblems } from '../auth/passwords';
import { DEFAULT_PASSWORD_MIN_SCORE } from '../core/config/app-config';
import { ConflictError, InvalidFieldError } from '../core/errors';
import { normaliseAccount } from './account-names';
import { Role } from '../core/auth/role';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';
import { findTakenNames } from './users.service';

export interface AdminAccount {
  username: string;
  email: string;
  password: string;
}

/**
 * Creates an admin account, or promotes (and reactivates) the account with that username,
 * setting its password. The counterpart of Django's `createsuperuser`. Names are normalised and
 * checked as registration does; `passwordMinScore` is PASSWORD_MIN_SCORE (default 3).
 */
export async function createOrPromoteAdmin(
  db: DataSource,
  given: AdminAccount,
  passwordMinScore = DEFAULT_PASSWORD_MIN_SCORE,
): Promise<{ user: User; created: boolean }> {
  const account = normaliseAccount(given);
  const problems = await passwordProblems(account.password, account, passwordMinScore);
  if (problems.length > 0) throw new InvalidFieldError(`The password is not acceptable: ${problems.join(' ')}`, { password: problems });
  const users = new UsersRepository(db);
  const existing = await users.findByUsername(account.username);
  if (!existing) {
    const taken = await findTakenNames(users, account.username, account.email);
    if (Object.keys(taken).length > 0) throw new ConflictError(Object.values(taken).flat().join(' '), taken);
  }
  const passwordHash = await hashPassword(account.password);
  if (existing) {
    const changed = [...(existing.role === Role.Admin ? [] : ['role']), ...(existing.isActive ? [] : ['is_active']), 'password'];
    // The operator vouches for the address, so REQUIRE_VERIFIED_EMAIL never keeps an admin out.
    Object.assign(existing, { role: Role.Admin, isActive: true, passwordHash, emailVerified: true });
    return { user: await saveAudited(db, users, existing, 'update', changed), created: false };
  }
  const user = users.build({ ...account, passwordHash, role: Role.Admin, emailVerified: true });
  return { user: await saveAudited(db, users, user, 'create', ['username', 'email', 'password', 'role']), created: true };
}

/**
 * Saves the account and its audit entry in one transaction. No actor: the operator at the command
 * line, which `via:create-admin` in `changed_fields` says (an anonymous login has no actor either).
 */
function saveAudited(db: DataSource, users: UsersRepository, user: User, action: 'create' | 'update', changed: string[]): Promise<User> {
  return db.transaction(async (manager) => {
    const saved = await users.save(manager, user);
    const changedFields = [...changed, 'via:create-admin'];
    await changesOf(new AuditRepository(db), { id: null }, 'user').changed(manager, action, saved.id, changedFields);
    return saved;
  });
}

/** What the script tells the operator about the admin's second factor, after creating it. */
export function mfaAdvice(requiredRoles: readonly Role[]): string {
  const steps =
    'log in, POST /api/auth/mfa/totp/setup/ (add the secret or its otpauth_url to an authenticator app), ' +
    'then POST /api/auth/mfa/totp/enable/ with {"code": "<the app\'s 6-digit code>"} and keep the ten recovery codes it answers.';
  return requiredRoles.includes(Role.Admin)
    ? `Two-factor authentication is required for admins (MFA_REQUIRED_ROLES): until it is set up, the account can use nothing else. To set it up, ${steps}\n`
    : `Two-factor authentication is recommended: ${steps}\n`;
}
