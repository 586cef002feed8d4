import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadAppConfig } from './app-config';
import { parseDurationSeconds } from './duration';

const ACCESS = 'a'.repeat(40);
const REFRESH = 'r'.repeat(40);
const MFA_KEY = 'm'.repeat(40);

/** The ConfigError that loading `env` throws; fails the test when it loads. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadAppConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadAppConfig', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'hc-config-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const secretsFile = () => join(dataDir, 'dev-secrets.json');

  it('loads the defaults with only the secrets given', () => {
    const config = loadAppConfig({
      JWT_ACCESS_SECRET: ACCESS,
      JWT_REFRESH_SECRET: REFRESH,
      MFA_ENCRYPTION_KEY: MFA_KEY,
      DATA_DIR: dataDir,
    });
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 8000,
      dataDir,
      runMigrations: true,
      authUserCache: true,
      dbConnectTimeoutMs: 2000,
      dbPoolTimeoutMs: 10_000,
      dbStatementTimeoutMs: 30_000,
      jwt: { accessSecret: ACCESS, refreshSecret: REFRESH, accessTtlSeconds: 900, refreshTtlSeconds: 604_800, refreshRotation: true },
      throttle: { windowSeconds: 60, limit: 300, authLimit: 10 },
      trustProxy: false,
      bodyLimitBytes: 1_048_576,
      pageSize: { default: 20, max: 100 },
      booking: { horizonDays: 365, maxUpcomingPerPatient: 10 },
      passwordResetTtlSeconds: 1800,
      requireVerifiedEmail: false,
      emailVerificationTtlSeconds: 86_400,
      lockout: { threshold: 10, durationSeconds: 900 },
      mail: { smtpUrl: undefined, from: 'Healthcare backend <no-reply@localhost>', publicUrl: 'http://localhost:8000', retryBaseMs: 2000 },
      warnings: [],
    });
    expect(existsSync(secretsFile())).toBe(false);
  });

  it('refuses production without secrets or a mail server, naming each', () => {
    const error = configError({ NODE_ENV: 'production', DATA_DIR: dataDir });
    expect(error.problems).toEqual([
      'SMTP_URL is required when NODE_ENV=production: the service sends mail',
      'JWT_ACCESS_SECRET is required when NODE_ENV=production',
      'JWT_REFRESH_SECRET is required when NODE_ENV=production',
      'MFA_ENCRYPTION_KEY is required when NODE_ENV=production',
    ]);
    expect(error.message).toContain('JWT_ACCESS_SECRET');
    expect(error.message).toContain('JWT_REFRESH_SECRET');
    expect(existsSync(secretsFile())).toBe(false);
  });

  it('accepts production with both secrets', () => {
    const config = loadAppConfig({
      NODE_ENV: 'production',
      JWT_ACCESS_SECRET: ACCESS,
      JWT_REFRESH_SECRET: REFRESH,
      MFA_ENCRYPTION_KEY: MFA_KEY,
      SMTP_URL: 'smtps://mailer:secret@mail.clinic.example:465',
      DATA_DIR: dataDir,
    });
    expect(config.nodeEnv).toBe('production');
    expect(config.warnings).toEqual([]);
  });

  it('names every bad variable in one error', () => {
    const error = configError({
      NODE_ENV: 'production',
      PORT: 'eighty',
      DB_POOL_SIZE: '0',
      DB_RUN_MIGRATIONS: 'maybe',
      JWT_ACCESS_TTL: 'soon',
      DATABASE_URL: 'mysql://db/app',
      REDIS_URL: 'http://cache',
      LOG_LEVEL: 'loud',
      CORS_ORIGINS: 'https://ok.example,not an origin',
      BODY_LIMIT_BYTES: '10',
      JWT_ACCESS_SECRET: 'short',
      SMTP_URL: 'mail.clinic.example',
      PUBLIC_URL: 'clinic.example',
    });
    const named = (variable: string) => error.problems.filter((problem) => problem.startsWith(variable));
    for (const variable of [
      'PORT',
      'DB_POOL_SIZE',
      'DB_RUN_MIGRATIONS',
      'JWT_ACCESS_TTL',
      'DATABASE_URL',
      'REDIS_URL',
      'LOG_LEVEL',
      'CORS_ORIGINS',
      'BODY_LIMIT_BYTES',
      'JWT_ACCESS_SECRET',
      'JWT_REFRESH_SECRET',
      'MFA_ENCRYPTION_KEY',
      'SMTP_URL',
      'PUBLIC_URL',
    ]) {
      expect(named(variable), variable).toHaveLength(1);
      expect(error.message).toContain(variable);
    }
    expect(error.problems).toHaveLength(14);
  });

  it('reads the mail settings: the public address without its trailing slash, the port in the default one', () => {
    const mail = (env: Record<string, string>) =>
      loadAppConfig({ JWT_ACCESS_SECRET: ACCESS, JWT_REFRESH_SECRET: REFRESH, MFA_ENCRYPTION_KEY: MFA_KEY, ...env }).mail;
    expect(
      mail({ PUBLIC_URL: 'https://clinic.example/app/', SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_FROM: 'Clinic <a@clinic.example>' }),
    ).toEqual({
      smtpUrl: 'smtp://127.0.0.1:2525',
      from: 'Clinic <a@clinic.example>',
      publicUrl: 'https://clinic.example/app',
      retryBaseMs: 2000,
    });
    expect(mail({ PORT: '3000' }).publicUrl).toBe('http://localhost:3000');
    expect(
      configError({ JWT_ACCESS_SECRET: ACCESS, JWT_REFRESH_SECRET: REFRESH, MFA_ENCRYPTION_KEY: MFA_KEY, MAIL_RETRY_BASE_MS: '1' })
        .problems,
    ).toEqual(['MAIL_RETRY_BASE_MS must be an integer from 10 to 600000 (got "1")']);
  });

  it('refuses secrets shorter than 32 characters or equal to each other', () => {
    expect(
      configError({ JWT_ACCESS_SECRET: 'x'.repeat(31), JWT_REFRESH_SECRET: REFRESH, MFA_ENCRYPTION_KEY: MFA_KEY, DATA_DIR: dataDir })
        .problems,
    ).toEqual(['JWT_ACCESS_SECRET must be at least 32 characters long']);
    expect(configError({ JWT_ACCESS_SECRET: ACCESS, JWT_REFRESH_SECRET: ACCESS, DATA_DIR: dataDir }).problems).toEqual([
      'JWT_ACCESS_SECRET and JWT_REFRESH_SECRET must differ',
    ]);
  });

  it('reads the database timeouts, 0 turning the statement timeout off', () => {
    const config = loadAppConfig({
      JWT_ACCESS_SECRET: ACCESS,
      JWT_REFRESH_SECRET: REFRESH,
      MFA_ENCRYPTION_KEY: MFA_KEY,
      DB_CONNECT_TIMEOUT_MS: '500',
      DB_POOL_TIMEOUT_MS: '3000',
      DB_STATEMENT_TIMEOUT_MS: '0',
    });
    expect(config).toMatchObject({ dbConnectTimeoutMs: 500, dbPoolTimeoutMs: 3000, dbStatementTimeoutMs: 0 });
    const error = configError({
      JWT_ACCESS_SECRET: ACCESS,
      JWT_REFRESH_SECRET: REFRESH,
      MFA_ENCRYPTION_KEY: MFA_KEY,
      DB_CONNECT_TIMEOUT_MS: '0',
      DB_POOL_TIMEOUT_MS: 'soon',
      DB_STATEMENT_TIMEOUT_MS: '-1',
    });
    expect(error.problems.map((problem) => problem.split(' ')[0])).toEqual([
      'DB_CONNECT_TIMEOUT_MS',
      'DB_POOL_TIMEOUT_MS',
      'DB_STATEMENT_TIMEOUT_MS',
    ]);
  });

  it('reads the booking limits, refusing a horizon past ten years and a cap below one', () => {
    const config = loadAppConfig({
      JWT_ACCESS_SECRET: ACCESS,
      JWT_REFRESH_SECRET: REFRESH,
      MFA_ENCRYPTION_KEY: MFA_KEY,
      BOOKING_HORIZON_DAYS: '90',
      MAX_UPCOMING_APPOINTMENTS_PER_PATIENT: '3',
    });
    expect(config.booking).toEqual({ horizonDays: 90, maxUpcomingPerPatient: 3 });
    const error = configError({
      JWT_ACCESS_SECRET: ACCESS,
      JWT_REFRESH_SECRET: REFRESH,
      MFA_ENCRYPTION_KEY: MFA_KEY,
      BOOKING_HORIZON_DAYS: '3651',
      MAX_UPCOMING_APPOINTMENTS_PER_PATIENT: '0',
    });
    expect(error.problems.map((problem) => problem.split(' ')[0])).toEqual([
      'BOOKING_HORIZON_DAYS',
      'MAX_UPCOMING_APPOINTMENTS_PER_PATIENT',
    ]);
  });

  it('reads the lowest password score, 3 by default, refusing one outside 0-4', () => {
    expect(loadAppConfig({ JWT_ACCESS_SECRET: ACCESS, JWT_REFRESH_SECRET: REFRESH, MFA_ENCRYPTION_KEY: MFA_KEY }).passwordMinScore).toBe(3);
    expect(
      loadAppConfig({ JWT_ACCESS_SECRET: ACCESS, JWT_REFRESH_SECRET: REFRESH, MFA_ENCRYPTION_KEY: MFA_KEY, PASSWORD_MIN_SCORE: '4' })
        .passwordMinScore,
    ).toBe(4);
    for (const value of ['5', '-1', '2.5', 'strong']) {
      const error = configError({
        JWT_ACCESS_SECRET: ACCESS,
        JWT_REFRESH_SECRET: REFRESH,
        MFA_ENCRYPTION_KEY: MFA_KEY,
        PASSWORD_MIN_SCORE: value,
      });
      expect(error.problems).toEqual([`PASSWORD_MIN_SCORE must be an integer from 0 to 4 (got "${value}")`]);
    }
  });

  it.each([
    ['on', true],
    ['true', true],
    [' OFF ', false],
    ['false', false],
  ])('reads JWT_REFRESH_ROTATION %j as %s', (value, rotation) => {
    expect(
      loadAppConfig({ JWT_ACCESS_SECRET: ACCESS, JWT_REFRESH_SECRET: REFRESH, MFA_ENCRYPTION_KEY: MFA_KEY, JWT_REFRESH_ROTATION: value })
        .jwt.refreshRotation,
    ).toBe(rotation);
  });

  it.each(['1', 'no', 'rotate'])('refuses JWT_REFRESH_ROTATION %j', (value) => {
    const error = configError({
      JWT_ACCESS_SECRET: ACCESS,
      JWT_REFRESH_SECRET: REFRESH,
      MFA_ENCRYPTION_KEY: MFA_KEY,
      JWT_REFRESH_ROTATION: value,
    });
    expect(error.problems).toEqual([`JWT_REFRESH_ROTATION must be on or off (got "${value}")`]);
  });

  it('reads the page sizes, up to 1000, the default lowered to a maximum below it when not given', () => {
    const sizes = (env: Record<string, string>) =>
      loadAppConfig({ JWT_ACCESS_SECRET: ACCESS, JWT_REFRESH_SECRET: REFRESH, MFA_ENCRYPTION_KEY: MFA_KEY, ...env }).pageSize;
    expect(sizes({ PAGE_SIZE_DEFAULT: '5', PAGE_SIZE_MAX: '7' })).toEqual({ default: 5, max: 7 });
    expect(sizes({ PAGE_SIZE_DEFAULT: '1000', PAGE_SIZE_MAX: '1000' })).toEqual({ default: 1000, max: 1000 });
    expect(sizes({ PAGE_SIZE_MAX: '10' })).toEqual({ default: 10, max: 10 });
    expect(sizes({ PAGE_SIZE_DEFAULT: '50' })).toEqual({ default: 50, max: 100 });
  });

  it.each([
    [{ PAGE_SIZE_MAX: '1001' }, 'PAGE_SIZE_MAX must be an integer from 1 to 1000 (got "1001")'],
    [{ PAGE_SIZE_MAX: '0' }, 'PAGE_SIZE_MAX must be an integer from 1 to 1000 (got "0")'],
    [{ PAGE_SIZE_DEFAULT: 'many' }, 'PAGE_SIZE_DEFAULT must be an integer from 1 to 1000 (got "many")'],
    [{ PAGE_SIZE_DEFAULT: '101' }, 'PAGE_SIZE_DEFAULT (101) must not be greater than PAGE_SIZE_MAX (100)'],
    [{ PAGE_SIZE_DEFAULT: '8', PAGE_SIZE_MAX: '7' }, 'PAGE_SIZE_DEFAULT (8) must not be greater than PAGE_SIZE_MAX (7)'],
  ])('refuses the page sizes %j', (env, problem) => {
    expect(configError({ JWT_ACCESS_SECRET: ACCESS, JWT_REFRESH_SECRET: REFRESH, MFA_ENCRYPTION_KEY: MFA_KEY, ...env }).problems).toEqual([
      problem,
    ]);
  });

  it('reads the two-factor settings: the issuer, the key, the roles that must use it (admin by default, empty for none)', () => {
    const mfa = (env: Record<string, string>) =>
      loadAppConfig({ JWT_ACCESS_SECRET: ACCESS, JWT_REFRESH_SECRET: REFRESH, MFA_ENCRYPTION_KEY: MFA_KEY, ...env }).mfa;
    expect(mfa({})).toEqual({ issuer: 'Healthcare backend', encryptionKey: MFA_KEY, requiredRoles: ['admin'] });
    expect(mfa({ MFA_ISSUER: 'Clinic', MFA_REQUIRED_ROLES: ' admin, doctor ' })).toMatchObject({
      issuer: 'Clinic',
      requiredRoles: ['admin', 'doctor'],
    });
    expect(mfa({ MFA_REQUIRED_ROLES: '' }).requiredRoles).toEqual([]);
    expect(
      configError({ JWT_ACCESS_SECRET: ACCESS, JWT_REFRESH_SECRET: REFRESH, MFA_ENCRYPTION_KEY: 'short', MFA_REQUIRED_ROLES: 'admin,root' })
        .problems,
    ).toEqual([
      'MFA_ENCRYPTION_KEY must be at least 32 characters long',
      'MFA_REQUIRED_ROLES entries must be among patient, doctor, admin (got "root")',
    ]);
  });

  it('refuses an unknown NODE_ENV', () => {
    expect(configError({ NODE_ENV: 'staging', DATA_DIR: dataDir }).message).toContain('NODE_ENV');
  });

  it.each([
    ['900', 900],
    ['900s', 900],
    ['15m', 900],
    ['12h', 43_200],
    ['7d', 604_800],
    [' 7D ', 604_800],
  ])('reads the duration %j as %i seconds', (value, seconds) => {
    expect(parseDurationSeconds(value)).toBe(seconds);
    const config = loadAppConfig({
      JWT_ACCESS_SECRET: ACCESS,
      JWT_REFRESH_SECRET: REFRESH,
      MFA_ENCRYPTION_KEY: MFA_KEY,
      JWT_REFRESH_TTL: value,
      THROTTLE_TTL: value,
    });
    expect(config.jwt.refreshTtlSeconds).toBe(seconds);
    expect(config.throttle.windowSeconds).toBe(seconds);
  });

  it.each(['0', '-5', '15 minutes', '1.5h', 'm', '7w'])('refuses the duration %j', (value) => {
    expect(parseDurationSeconds(value)).toBeUndefined();
    expect(
      configError({ JWT_ACCESS_SECRET: ACCESS, JWT_REFRESH_SECRET: REFRESH, MFA_ENCRYPTION_KEY: MFA_KEY, JWT_ACCESS_TTL: value }).problems,
    ).toEqual([`JWT_ACCESS_TTL must be a duration such as 900, 15m, 12h or 7d (got "${value.trim()}")`]);
  });

  it('treats blank variables as unset', () => {
    const config = loadAppConfig({
      JWT_ACCESS_SECRET: ACCESS,
      JWT_REFRESH_SECRET: REFRESH,
      MFA_ENCRYPTION_KEY: MFA_KEY,
      PORT: '  ',
      DATABASE_URL: '',
    });
    expect(config.port).toBe(8000);
    expect(config.databaseUrl).toBeUndefined();
  });

  describe('development without secrets', () => {
    it('generates both secrets once into DATA_DIR/dev-secrets.json and reuses them', () => {
      const first = loadAppConfig({ DATA_DIR: dataDir });
      expect(first.jwt.accessSecret.length).toBeGreaterThanOrEqual(32);
      expect(first.jwt.refreshSecret.length).toBeGreaterThanOrEqual(32);
      expect(first.jwt.accessSecret).not.toBe(first.jwt.refreshSecret);
      expect(first.mfa.encryptionKey.length).toBeGreaterThanOrEqual(32);
      expect(first.warnings).toHaveLength(3);
      expect(first.warnings.join('\n')).toContain(dataDir);

      const stored = JSON.parse(readFileSync(secretsFile(), 'utf8'));
      expect(stored).toEqual({
        JWT_ACCESS_SECRET: first.jwt.accessSecret,
        JWT_REFRESH_SECRET: first.jwt.refreshSecret,
        MFA_ENCRYPTION_KEY: first.mfa.encryptionKey,
      });
      expect(statSync(secretsFile()).mode & 0o077).toBe(0);

      const second = loadAppConfig({ DATA_DIR: dataDir });
      expect(second.jwt).toEqual(first.jwt);
      expect(second.mfa).toEqual(first.mfa);
    });

    it('generates only the missing one when the other is set', () => {
      const config = loadAppConfig({ DATA_DIR: dataDir, JWT_ACCESS_SECRET: ACCESS });
      expect(config.jwt.accessSecret).toBe(ACCESS);
      expect(Object.keys(JSON.parse(readFileSync(secretsFile(), 'utf8')))).toEqual(['JWT_REFRESH_SECRET', 'MFA_ENCRYPTION_KEY']);
    });

    it('creates a DATA_DIR that does not exist yet', () => {
      const nested = join(dataDir, 'not', 'yet');
      const config = loadAppConfig({ DATA_DIR: nested });
      expect(config.jwt.accessSecret).toEqual(expect.any(String));
      expect(existsSync(join(nested, 'dev-secrets.json'))).toBe(true);
    });

    it('writes no secrets file when the configuration is wrong anyway', () => {
      expect(configError({ DATA_DIR: dataDir, PORT: '-1' }).problems).toHaveLength(1);
      expect(existsSync(secretsFile())).toBe(false);
    });

    it('reports an unreadable secrets file as a configuration problem', () => {
      writeFileSync(secretsFile(), '{ not json');
      expect(configError({ DATA_DIR: dataDir }).message).toContain('dev-secrets.json');
    });
  });
});
