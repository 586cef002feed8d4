import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Role, ROLES } from '../auth/role';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PAGE_SIZE_LIMIT } from '../pagination/page-sizes';
import { parseDurationSeconds } from './duration';

export type NodeEnv = 'development' | 'production' | 'test';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The validated, typed configuration of the service; built once from the environment. */
export interface AppConfig {
  nodeEnv: NodeEnv;
  host: string;
  port: number;
  /** External PostgreSQL; when absent the service runs an embedded one in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  embeddedDbPort: number;
  dbPoolSize: number;
  /** Longest wait to open a database connection before the request gets 503. */
  dbConnectTimeoutMs: number;
  /** Longest wait for a free pooled connection when all are busy before the request gets 503. */
  dbPoolTimeoutMs: number;
  /** Longest a single SQL statement may run (PostgreSQL `statement_timeout`); 0 for no limit. */
  dbStatementTimeoutMs: number;
  runMigrations: boolean;
  /**
   * Remember the callers of requests between requests, forgotten when PostgreSQL notifies a
   * change to the account. Off where LISTEN/NOTIFY does not reach the service (a pooler in
   * transaction mode): then every request loads its caller.
   */
  authUserCache: boolean;
  jwt: {
    accessSecret: string;
    refreshSecret: string;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
    /**
     * Whether a refresh spends its token and answers the next one (with reuse detection). Off for
     * clients that keep one refresh token for its lifetime, as simplejwt's do by default.
     */
    refreshRotation: boolean;
  };
  throttle: {
    windowSeconds: number;
    limit: number;
    authLimit: number;
  };
  redisUrl?: string;
  corsOrigins: string[];
  /** Behind a reverse proxy: take the client IP from X-Forwarded-For (for rate limits and audit). */
  trustProxy: boolean;
  logLevel: LogLevel;
  bodyLimitBytes: number;
  /** Items per page of every list: when `page_size` is left out, and the most it may ask for. */
  pageSize: {
    default: number;
    max: number;
  };
  booking: {
    /** How far ahead an appointment may start, in days. */
    horizonDays: number;
    /** Most active (SCHEDULED or CHECKED_IN) appointments starting in the future one patient may have. */
    maxUpcomingPerPatient: number;
  };
  /** The lowest zxcvbn score (0-4) a new password may have; 0 turns the estimate off. */
  passwordMinScore: number;
  /** How long a password reset link stays valid. */
  passwordResetTtlSeconds: number;
  /** Whether an account must have verified its email address before it can log in. */
  requireVerifiedEmail: boolean;
  /** How long an e-mail verification link stays valid. */
  emailVerificationTtlSeconds: number;
  lockout: {
    /** Failed logins in a row that lock an account; 0 for no lockout. */
    threshold: number;
    /** The first lock's length; each further one doubles, up to a day. */
    durationSeconds: number;
  };
  mail: {
    /** Where mail goes (smtp:// or smtps://); without it, outside production, mails are only logged. */
    smtpUrl?: string;
    /** The From of every mail. */
    from: string;
    /** The address people reach the service's pages at, for links in mails (no trailing slash). */
    publicUrl: string;
    /** The wait before the first retry of a failed send; each further retry waits twice as long. */
    retryBaseMs: number;
  };
  mfa: {
    /** The issuer authenticator apps show beside the account (the `otpauth://` URL's `issuer`). */
    issuer: string;
    /** What the TOTP secrets are encrypted under at rest (AES-256-GCM, key derived from it). */
    encryptionKey: string;
    /** Accounts of these roles may do nothing but set up two-factor authentication until they have. */
    requiredRoles: Role[];
  };
  /**
   * What this process runs: the HTTP API, the job workers (webhook deliveries, reminders), or both.
   * A deployment scales the two apart by running `api` and `jobs` processes on one database.
   */
  workers: Workers;
  jobs: {
    /** How often an idle worker asks the queue for a job. */
    pollIntervalMs: number;
    /** How often one instance expires stalled jobs (a worker that died mid-job) so they run again. */
    maintenanceIntervalSeconds: number;
    /** Jobs of each queue run at the same time in one process. */
    concurrency: number;
  };
  reminders: {
    /** How long before an appointment's start its reminders are sent, one mail per lead; empty for none. */
    leadSeconds: number[];
  };
  webhooks: {
    /** Whether endpoints may be loopback, private or link-local addresses (tests, on-premise receivers). */
    allowPrivate: boolean;
    /** How long a receiver has to answer a delivery. */
    timeoutMs: number;
    /** How long a delivery is retried before it is marked failed. */
    retryForSeconds: number;
    /** The wait before the first retry; each further one roughly doubles, with jitter. */
    retryBaseSeconds: number;
    /** Failed deliveries in a row (each after all its retries) that disable an endpoint. */
    disableAfterFailures: number;
    /** How long a rotated secret keeps signing beside the new one. */
    secretOverlapSeconds: number;
  };
  /** Notes for the log once a logger exists, e.g. that a development secret was generated. */
  warnings: string[];
}

export const WORKERS = ['api', 'jobs', 'both'] as const;
export type Workers = (typeof WORKERS)[number];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const MIN_SECRET_LENGTH = 32;
/** zxcvbn's "safely unguessable": 10^8 guesses or more. */
export const DEFAULT_PASSWORD_MIN_SCORE = 3;
type Env = Record<string, string | undefined>;

/**
 * Reads and validates every variable at once, so a bad start names all its problems in one
 * message instead of failing on the first.
 */
export function loadAppConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const warnings: string[] = [];
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const duration = (name: string, fallback: string): number => {
    const raw = read(name) ?? fallback;
    const seconds = parseDurationSeconds(raw);
    if (seconds === undefined) {
      problems.push(`${name} must be a duration such as 900, 15m, 12h or 7d (got "${raw}")`);
      return 1;
    }
    return seconds;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };
  const onOff = (name: string, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (raw === 'on' || raw === 'true') return true;
    if (raw === 'off' || raw === 'false') return false;
    problems.push(`${name} must be on or off (got "${raw}")`);
    return fallback;
  };

  const nodeEnv = (read('NODE_ENV') ?? 'development') as NodeEnv;
  if (!['development', 'production', 'test'].includes(nodeEnv)) {
    problems.push(`NODE_ENV must be development, production or test (got "${nodeEnv}")`);
  }

  const databaseUrl = read('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const smtpUrl = read('SMTP_URL');
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^/\s]+/.test(smtpUrl)) {
    problems.push('SMTP_URL must be an smtp:// or smtps:// URL');
  }
  if (smtpUrl === undefined && nodeEnv === 'production') {
    problems.push('SMTP_URL is required when NODE_ENV=production: the service sends mail');
  }
  const publicUrl = (read('PUBLIC_URL') ?? `http://localhost:${read('PORT') ?? 8000}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+(\/\S*)?$/.test(publicUrl)) {
    problems.push(`PUBLIC_URL must be an http:// or https:// URL (got "${publicUrl}")`);
  }
  const redisUrl = read('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    problems.push('REDIS_URL must be a redis:// or rediss:// URL');
  }

  const logLevel = (read('LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }

  const corsOrigins = (read('CORS_ORIGINS') ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push(`CORS_ORIGINS entries must be origins like https://clinic.example (got "${origin}")`);
    }
  }

  const dataDir = resolve(read('DATA_DIR') ?? '.data');
  /** A configured secret, or '' when it is to be generated (outside production only). */
  const secret = (name: string): string => {
    const value = read(name);
    if (value !== undefined) {
      if (value.length < MIN_SECRET_LENGTH) {
        problems.push(`${name} must be at least ${MIN_SECRET_LENGTH} characters long`);
      }
      return value;
    }
    if (nodeEnv === 'production') problems.push(`${name} is required when NODE_ENV=production`);
    return '';
  };
  const accessSecret = secret('JWT_ACCESS_SECRET');
  const refreshSecret = secret('JWT_REFRESH_SECRET');
  if (accessSecret && accessSecret === refreshSecret) {
    problems.push('JWT_ACCESS_SECRET and JWT_REFRESH_SECRET must differ');
  }

  const mfaEncryptionKey = secret('MFA_ENCRYPTION_KEY');
  const mfaRequiredRoles = (env.MFA_REQUIRED_ROLES ?? 'admin')
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);
  for (const role of mfaRequiredRoles) {
    if (!ROLES.includes(role as Role)) problems.push(`MFA_REQUIRED_ROLES entries must be among ${ROLES.join(', ')} (got "${role}")`);
  }

  const workers = (read('WORKERS') ?? 'both') as Workers;
  if (!WORKERS.includes(workers)) problems.push(`WORKERS must be one of ${WORKERS.join(', ')} (got "${workers}")`);
  const reminderLeads = (read('REMINDER_LEAD') ?? '24h')
    .split(',')
    .map((lead) => lead.trim())
    .filter((lead) => lead !== '' && lead !== 'off');
  const leadSeconds = reminderLeads.map((lead) => {
    const seconds = parseDurationSeconds(lead);
    if (seconds === undefined) problems.push(`REMINDER_LEAD must be durations such as 24h or 24h,2h, or off (got "${lead}")`);
    return seconds ?? 0;
  });

  const pageSizes = (): AppConfig['pageSize'] => {
    const max = int('PAGE_SIZE_MAX', MAX_PAGE_SIZE, 1, PAGE_SIZE_LIMIT);
    const fallback = Math.min(DEFAULT_PAGE_SIZE, max);
    const value = int('PAGE_SIZE_DEFAULT', fallback, 1, PAGE_SIZE_LIMIT);
    if (value > max) problems.push(`PAGE_SIZE_DEFAULT (${value}) must not be greater than PAGE_SIZE_MAX (${max})`);
    return { default: value, max };
  };

  const config: AppConfig = {
    nodeEnv,
    host: read('HOST') ?? '0.0.0.0',
    port: int('PORT', 8000, 0, 65535),
    databaseUrl,
    dataDir,
    embeddedDbPort: int('EMBEDDED_DB_PORT', 54329, 1024, 65535),
    dbPoolSize: int('DB_POOL_SIZE', 10, 1, 200),
    dbConnectTimeoutMs: int('DB_CONNECT_TIMEOUT_MS', 2000, 100, 600_000),
    dbPoolTimeoutMs: int('DB_POOL_TIMEOUT_MS', 10_000, 100, 600_000),
    dbStatementTimeoutMs: int('DB_STATEMENT_TIMEOUT_MS', 30_000, 0, 86_400_000),
    runMigrations: bool('DB_RUN_MIGRATIONS', true),
    authUserCache: bool('AUTH_USER_CACHE', true),
    jwt: {
      accessSecret: '',
      refreshSecret: '',
      accessTtlSeconds: duration('JWT_ACCESS_TTL', '15m'),
      refreshTtlSeconds: duration('JWT_REFRESH_TTL', '7d'),
      refreshRotation: onOff('JWT_REFRESH_ROTATION', true),
    },
    throttle: {
      windowSeconds: duration('THROTTLE_TTL', '60s'),
      limit: int('THROTTLE_LIMIT', 300, 1, 1_000_000),
      authLimit: int('THROTTLE_AUTH_LIMIT', 10, 1, 1_000_000),
    },
    redisUrl,
    corsOrigins,
    trustProxy: bool('TRUST_PROXY', false),
    logLevel,
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
    pageSize: pageSizes(),
    booking: {
      horizonDays: int('BOOKING_HORIZON_DAYS', 365, 1, 3650),
      maxUpcomingPerPatient: int('MAX_UPCOMING_APPOINTMENTS_PER_PATIENT', 10, 1, 10_000),
    },
    passwordMinScore: int('PASSWORD_MIN_SCORE', DEFAULT_PASSWORD_MIN_SCORE, 0, 4),
    passwordResetTtlSeconds: duration('PASSWORD_RESET_TTL', '30m'),
    requireVerifiedEmail: bool('REQUIRE_VERIFIED_EMAIL', false),
    emailVerificationTtlSeconds: duration('EMAIL_VERIFICATION_TTL', '24h'),
    lockout: {
      threshold: int('LOGIN_LOCKOUT_THRESHOLD', 10, 0, 1000),
      durationSeconds: duration('LOGIN_LOCKOUT_DURATION', '15m'),
    },
    mail: {
      smtpUrl,
      from: read('MAIL_FROM') ?? 'Healthcare backend <no-reply@localhost>',
      publicUrl,
      retryBaseMs: int('MAIL_RETRY_BASE_MS', 2000, 10, 600_000),
    },
    mfa: {
      issuer: read('MFA_ISSUER') ?? 'Healthcare backend',
      encryptionKey: '',
      requiredRoles: mfaRequiredRoles as Role[],
    },
    workers,
    jobs: {
      pollIntervalMs: int('JOBS_POLL_INTERVAL_MS', 2000, 500, 600_000),
      maintenanceIntervalSeconds: duration('JOBS_MAINTENANCE_INTERVAL', '60s'),
      concurrency: int('JOBS_CONCURRENCY', 4, 1, 100),
    },
    reminders: { leadSeconds: [...new Set(leadSeconds)].sort((a, b) => b - a) },
    webhooks: {
      allowPrivate: bool('WEBHOOK_ALLOW_PRIVATE', false),
      timeoutMs: int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 600_000),
      retryForSeconds: duration('WEBHOOK_RETRY_FOR', '24h'),
      retryBaseSeconds: duration('WEBHOOK_RETRY_BASE', '10s'),
      disableAfterFailures: int('WEBHOOK_DISABLE_AFTER', 5, 1, 1000),
      secretOverlapSeconds: duration('WEBHOOK_SECRET_OVERLAP', '24h'),
    },
    warnings,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  // Generated last: a configuration that is wrong anyway must not write a secrets file.
  const generated = (name: string) => {
    warnings.push(`${name} is not set: using a generated development secret kept in ${dataDir}`);
    return developmentSecret(dataDir, name);
  };
  config.jwt.accessSecret = accessSecret || generated('JWT_ACCESS_SECRET');
  config.jwt.refreshSecret = refreshSecret || generated('JWT_REFRESH_SECRET');
  config.mfa.encryptionKey = mfaEncryptionKey || generated('MFA_ENCRYPTION_KEY');
  return config;
}

/** A secret generated on first use and kept in the data folder, so tokens survive restarts. */
function developmentSecret(dataDir: string, name: string): string {
  const file = join(dataDir, 'dev-secrets.json');
  let secrets: Record<string, string> = {};
  if (existsSync(file)) {
    try {
      secrets = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    } catch {
      throw new ConfigError([`${file} is not valid JSON; delete it to generate new development secrets`]);
    }
  }
  if (!secrets[name]) {
    secrets[name] = randomBytes(48).toString('base64url');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets[name];
}
