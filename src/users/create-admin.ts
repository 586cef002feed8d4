import { DataSource } from 'typeorm';
import { hashPassword, passwordProblems } from '../auth/passwords';
import { DEFAULT_PASSWORD_MIN_SCORE } from '../core/config/app-config';
import { normaliseAccount } from './account-names';
import { Role } from '../core/auth/role';
import { User } from './user.entity';
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
  const problems = passwordProblems(account.password, account, passwordMinScore);
  if (problems.length > 0) throw new Error(`The password is not acceptable: ${problems.join(' ')}`);
  const users = db.getRepository(User);
  const existing = await users.findOneBy({ username: account.username });
  if (!existing) {
    const taken = await findTakenNames(users, account.username, account.email);
    if (Object.keys(taken).length > 0) throw new Error(Object.values(taken).flat().join(' '));
  }
  const passwordHash = await hashPassword(account.password);
  if (existing) {
    Object.assign(existing, { role: Role.Admin, isActive: true, passwordHash });
    return { user: await users.save(existing), created: false };
  }
  const user = await users.save(users.create({ ...account, passwordHash, role: Role.Admin }));
  return { user, created: true };
}
