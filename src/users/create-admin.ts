import { DataSource } from 'typeorm';
import { hashPassword, passwordProblems } from '../auth/passwords';
import { Role } from './role';
import { User } from './user.entity';

export interface AdminAccount {
  username: string;
  email: string;
  password: string;
}

/**
 * Creates an admin account, or promotes (and reactivates) the account with that username,
 * setting its password. The counterpart of Django's `createsuperuser`. `passwordMinScore` is
 * PASSWORD_MIN_SCORE.
 */
export async function createOrPromoteAdmin(
  db: DataSource,
  account: AdminAccount,
  passwordMinScore: number,
): Promise<{ user: User; created: boolean }> {
  const problems = passwordProblems(account.password, account, passwordMinScore);
  if (problems.length > 0) throw new Error(`The password is not acceptable: ${problems.join(' ')}`);
  const users = db.getRepository(User);
  const existing = await users.findOneBy({ username: account.username });
  const passwordHash = await hashPassword(account.password);
  if (existing) {
    Object.assign(existing, { role: Role.Admin, isActive: true, passwordHash });
    return { user: await users.save(existing), created: false };
  }
  const user = await users.save(users.create({ ...account, passwordHash, role: Role.Admin }));
  return { user, created: true };
}
