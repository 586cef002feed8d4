import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, inject } from 'vitest';
import { createApp } from '../../src/app.factory';
import { loadAppConfig } from '../../src/core/config/app-config';
import { createOrPromoteAdmin } from '../../src/users/create-admin';
import { ContractRecorder } from './contract';
import { cloneTemplate } from './database';

export const TEST_ACCESS_SECRET = 'test-access-secret-0123456789-abcdefghijklmnop';
export const TEST_REFRESH_SECRET = 'test-refresh-secret-0123456789-abcdefghijklmnop';
export const TEST_PASSWORD = 'Correct-Horse-42';

export interface TestUser {
  id: number;
  username: string;
  email: string;
  role: string;
  password: string;
  access: string;
  refresh: string;
}

export interface TestApp {
  app: NestFastifyApplication;
  db: DataSource;
  /** Anonymous requests. */
  http: () => request.Agent;
  /** Requests as a user (its access token in the Authorization header). */
  as: (user: Pick<TestUser, 'access'>) => AuthorizedAgent;
  newUser: (overrides?: { role?: 'patient' | 'doctor'; username?: string; email?: string; password?: string }) => Promise<TestUser>;
  newAdmin: () => Promise<TestUser>;
  /** Every response so far checked against openapi.json; close() fails when any broke it. */
  contract: ContractRecorder;
  close: () => Promise<void>;
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type AuthorizedAgent = Record<Method, (path: string) => request.Test>;

let counter = 0;
export const uniqueName = (prefix = 'user') => `${prefix}${process.pid}x${++counter}x${randomBytes(2).toString('hex')}`;

/** The environment of the test apps (startTestApp) and of the instances started on a given database. */
export function testEnv(databaseUrl: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    DATA_DIR: join(tmpdir(), 'hc-test-data'),
    DB_RUN_MIGRATIONS: 'false',
    DB_POOL_SIZE: '5',
    JWT_ACCESS_SECRET: TEST_ACCESS_SECRET,
    JWT_REFRESH_SECRET: TEST_REFRESH_SECRET,
    THROTTLE_LIMIT: '100000',
    THROTTLE_AUTH_LIMIT: '100000',
    // The suite's admins (newAdmin) have no second factor; the MFA tests require it explicitly.
    MFA_REQUIRED_ROLES: '',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  };
}

/**
 * The real application on its own fresh database, built exactly as main.ts builds it. `env`
 * adds or overrides variables (e.g. a low THROTTLE_LIMIT for the rate-limit tests).
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await cloneTemplate(inject('serverUrl'), inject('templateDatabase'));
  const config = loadAppConfig(testEnv(database.url, env));
  const app = await createApp(config);
  const contract = new ContractRecorder();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', (request, reply, payload, done) => {
      contract.check({
        method: request.method,
        route: request.routeOptions.url,
        url: request.url,
        status: reply.statusCode,
        headers: reply.getHeaders(),
        body: typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '',
      });
      done(null, payload);
    });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const server = app.getHttpServer();
  const db = app.get(DataSource);

  const http = () => request.agent(server);
  const as = (user: Pick<TestUser, 'access'>): AuthorizedAgent => {
    const withToken = (method: Method) => (path: string) => request(server)[method](path).set('Authorization', `Bearer ${user.access}`);
    return {
      get: withToken('get'),
      post: withToken('post'),
      put: withToken('put'),
      patch: withToken('patch'),
      delete: withToken('delete'),
    };
  };

  const newUser: TestApp['newUser'] = async (overrides = {}) => {
    const username = overrides.username ?? uniqueName();
    const body = {
      username,
      email: overrides.email ?? `${username}@clinic.example`,
      password: overrides.password ?? TEST_PASSWORD,
      role: overrides.role ?? 'patient',
    };
    const res = await request(server).post('/api/auth/register/').send(body);
    if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { ...res.body.user, password: body.password, ...res.body.tokens } as TestUser;
  };

  const newAdmin = async () => {
    const username = uniqueName('admin');
    await createOrPromoteAdmin(db, { username, email: `${username}@clinic.example`, password: TEST_PASSWORD }, config.passwordMinScore);
    const res = await request(server).post('/api/auth/login/').send({ username, password: TEST_PASSWORD });
    if (res.status !== 200) throw new Error(`admin login failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { ...res.body.user, password: TEST_PASSWORD, access: res.body.access, refresh: res.body.refresh } as TestUser;
  };

  return {
    app,
    db,
    http,
    as,
    newUser,
    newAdmin,
    contract,
    close: async () => {
      await app.close();
      await database.drop();
      contract.recordStats();
      contract.report();
    },
  };
}

/**
 * `const t = useTestApp();` at the top of a describe block: starts the app in a beforeAll and
 * closes it in an afterAll, both registered here, so the block's own beforeAll hooks written after
 * this line already find it started. The members reach the started app when called, so they work
 * in tests and hooks (not at collection time, where they throw); the object is a TestApp, so the
 * helpers in test/support take it. `env` is as for startTestApp; a function is called in the
 * beforeAll, for values an earlier hook computes.
 */
export function useTestApp(env: Record<string, string> | (() => Record<string, string>) = {}): TestApp {
  let started: TestApp | undefined;
  const current = (): TestApp => {
    if (!started) throw new Error('useTestApp: the app starts in beforeAll; use it inside a test or a hook');
    return started;
  };
  const close = async () => {
    const app = started;
    started = undefined;
    await app?.close();
  };
  beforeAll(async () => {
    started = await startTestApp(typeof env === 'function' ? env() : env);
  });
  afterAll(close);
  return {
    get app() {
      return current().app;
    },
    get db() {
      return current().db;
    },
    get contract() {
      return current().contract;
    },
    http: () => current().http(),
    as: (user) => current().as(user),
    newUser: (overrides) => current().newUser(overrides),
    newAdmin: () => current().newAdmin(),
    close,
  };
}
