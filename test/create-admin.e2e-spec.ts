import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { User } from '../src/users/user.entity';
import { cloneTemplate } from './support/database';
import { expectUnauthorized } from './support/problems';
import { TEST_ACCESS_SECRET, TEST_REFRESH_SECRET, uniqueName, useTestApp } from './support/test-app';
import { insertUser } from './support/tokens';

const ADMIN_PASSWORD = 'Admin-Script-Pass-9';
const ROOT = join(__dirname, '..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('npm run create-admin (e2e)', () => {
  let database: Awaited<ReturnType<typeof cloneTemplate>>;
  let dataDir: string;
  beforeAll(async () => {
    database = await cloneTemplate(inject('serverUrl'), inject('templateDatabase'));
    dataDir = mkdtempSync(join(tmpdir(), 'hc-create-admin-'));
  });
  afterAll(async () => {
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  // The app serves the database the script writes to: it starts after the hook above and closes before it.
  const t = useTestApp(() => ({ DATABASE_URL: database.url }));

  /** The script as an operator runs it, with only the environment given here. */
  const createAdmin = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn('npm', ['run', '--silent', 'create-admin', '--', ...args], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_ENV: 'test',
          DATABASE_URL: database.url,
          DATA_DIR: dataDir,
          JWT_ACCESS_SECRET: TEST_ACCESS_SECRET,
          JWT_REFRESH_SECRET: TEST_REFRESH_SECRET,
          ...env,
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  const login = (username: string, password: string) => t.http().post('/api/auth/login/').send({ username, password });

  it('creates an admin from flags and ADMIN_PASSWORD, who can then log in and administer', async () => {
    const username = uniqueName('root');
    const run = await createAdmin(['--username', username, '--email', `${username}@clinic.example`], { ADMIN_PASSWORD });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Created admin account "${username}" \\(id \\d+\\)\\.$`, 'm'));
    // MFA_REQUIRED_ROLES is admin by default: the operator learns how to set the second factor up.
    expect(run.stdout).toMatch(
      /Two-factor authentication is required for admins.*POST \/api\/auth\/mfa\/totp\/setup\/.*POST \/api\/auth\/mfa\/totp\/enable\//,
    );
    expect(run.stdout + run.stderr).not.toContain(ADMIN_PASSWORD);

    const res = await login(username, ADMIN_PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ username, role: 'admin', is_active: true });
    expect((await t.as(res.body).get('/api/users/')).status).toBe(200);

    // Audited with no actor, saying it came from the command line.
    const audit = await t.as(res.body).get('/api/audit-events/').query({ entity: 'user', entity_id: res.body.user.id, action: 'create' });
    expect(audit.status).toBe(200);
    expect(audit.body).toEqual([
      expect.objectContaining({
        actor: null,
        outcome: 'success',
        changed_fields: ['username', 'email', 'password', 'role', 'via:create-admin'],
        request_id: null,
        client_ip: null,
      }),
    ]);
  });

  it('promotes (and reactivates) an existing account, sets its password, and audits the fields it changed', async () => {
    const existing = await insertUser(t.db);
    await t.db.getRepository(User).update(existing.id, { isActive: false });
    expectUnauthorized(await login(existing.username, ADMIN_PASSWORD));
    const run = await createAdmin(['--username', existing.username, '--email', existing.email], { ADMIN_PASSWORD });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Promoted admin account "${existing.username}" (id ${existing.id}).`);

    const res = await login(existing.username, ADMIN_PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: existing.id, role: 'admin', is_active: true });
    const updates = () => t.as(res.body).get('/api/audit-events/').query({ entity: 'user', entity_id: existing.id, action: 'update' });
    const promoted = await updates();
    expect(promoted.status).toBe(200);
    expect(promoted.body).toEqual([
      expect.objectContaining({ actor: null, outcome: 'success', changed_fields: ['role', 'is_active', 'password', 'via:create-admin'] }),
    ]);

    // Run again on an active admin: only the password changes.
    const again = await createAdmin(['--username', existing.username, '--email', existing.email], { ADMIN_PASSWORD });
    expect(again.code, again.stderr).toBe(0);
    expect((await updates()).body.map((e: Record<string, unknown>) => e.changed_fields)).toEqual([
      ['password', 'via:create-admin'],
      ['role', 'is_active', 'password', 'via:create-admin'],
    ]);
  });

  it('exits 1 with the reason and creates nothing for a weak password, or a missing username without a terminal to ask on', async () => {
    const username = uniqueName('weak');
    // Both at once: each run is mostly the start of ts-node.
    const [weak, missing] = await Promise.all([
      createAdmin(['--username', username, '--email', `${username}@clinic.example`], { ADMIN_PASSWORD: 'password123' }),
      createAdmin(['--email', 'nobody@clinic.example'], { ADMIN_PASSWORD }),
    ]);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/not acceptable/);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Username is required/);
    expect(await t.db.getRepository(User).countBy({ username })).toBe(0);
    expect(await t.db.getRepository(User).countBy({ email: 'nobody@clinic.example' })).toBe(0);
  });
});
