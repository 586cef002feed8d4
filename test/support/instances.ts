import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { inject } from 'vitest';
import { createApp } from '../../src/app.factory';
import { DEFAULT_PASSWORD_MIN_SCORE, loadAppConfig } from '../../src/core/config/app-config';
import { cloneTemplate } from './database';
import { createOrPromoteAdmin } from '../../src/users/create-admin';
import { AuthorizedAgent, TEST_PASSWORD, testEnv, TestUser, uniqueName } from './test-app';

/** One running application: like a TestApp, but on a database it shares and does not own. */
export interface AppInstance {
  app: NestFastifyApplication;
  db: DataSource;
  /** Anonymous requests. */
  http: () => request.Agent;
  /** Requests as a user (its access token in the Authorization header). */
  as: (user: Pick<TestUser, 'access'>) => AuthorizedAgent;
  close: () => Promise<void>;
}

export interface StartOptions {
  /** Where the app's log lines go (stdout otherwise, which LOG_LEVEL=silent keeps empty). */
  logDestination?: DestinationStream;
  /** Runs before the app starts, e.g. to add a Fastify hook that watches every response. */
  beforeInit?: (app: NestFastifyApplication) => void;
}

/**
 * The real application, built as main.ts builds it, on the database at `databaseUrl` (which it
 * neither creates nor drops): several of these on one URL are several service instances.
 */
export async function startAppOn(databaseUrl: string, env: Record<string, string> = {}, options: StartOptions = {}): Promise<AppInstance> {
  const app = await createApp(loadAppConfig(testEnv(databaseUrl, env)), { logDestination: options.logDestination });
  options.beforeInit?.(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const server = app.getHttpServer();
  type Method = keyof AuthorizedAgent;
  const withToken = (user: Pick<TestUser, 'access'>, method: Method) => (path: string) =>
    request(server)[method](path).set('Authorization', `Bearer ${user.access}`);
  return {
    app,
    db: app.get(DataSource),
    http: () => request.agent(server),
    as: (user) => ({
      get: withToken(user, 'get'),
      post: withToken(user, 'post'),
      put: withToken(user, 'put'),
      patch: withToken(user, 'patch'),
      delete: withToken(user, 'delete'),
    }),
    close: () => app.close(),
  };
}

/** `count` instances of the service on one fresh database (cloned from the migrated template). */
export async function startInstances(
  count: number,
  env: Record<string, string> = {},
): Promise<{ instances: AppInstance[]; databaseUrl: string; close: () => Promise<void> }> {
  const database = await cloneTemplate(inject('serverUrl'), inject('templateDatabase'));
  const instances: AppInstance[] = [];
  try {
    for (let i = 0; i < count; i++) instances.push(await startAppOn(database.url, env));
  } catch (error) {
    await Promise.all(instances.map((instance) => instance.close()));
    await database.drop();
    throw error;
  }
  return {
    instances,
    databaseUrl: database.url,
    close: async () => {
      await Promise.all(instances.map((instance) => instance.close()));
      await database.drop();
    },
  };
}

/** One instance on a fresh database of its own (dropped on close), with an admin factory. */
export interface OwnApp extends AppInstance {
  databaseUrl: string;
  /** An admin account, created as `npm run create-admin` does, logged in. */
  newAdmin: () => Promise<TestUser>;
}

/**
 * Like startTestApp, without the OpenAPI contract recorder: for suites that send what no client
 * should (fuzzing, attacks), whose answers the document need not list, and that may want the logs.
 */
export async function startOwnApp(env: Record<string, string> = {}, options: StartOptions = {}): Promise<OwnApp> {
  const database = await cloneTemplate(inject('serverUrl'), inject('templateDatabase'));
  const instance = await startAppOn(database.url, env, options).catch(async (error: unknown) => {
    await database.drop();
    throw error;
  });
  const newAdmin = async (): Promise<TestUser> => {
    const username = uniqueName('admin');
    await createOrPromoteAdmin(
      instance.db,
      { username, email: `${username}@clinic.example`, password: TEST_PASSWORD },
      DEFAULT_PASSWORD_MIN_SCORE,
    );
    const res = await instance.http().post('/api/auth/login/').send({ username, password: TEST_PASSWORD });
    if (res.status !== 200) throw new Error(`admin login failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { ...res.body.user, password: TEST_PASSWORD, access: res.body.access, refresh: res.body.refresh } as TestUser;
  };
  return {
    ...instance,
    databaseUrl: database.url,
    newAdmin,
    close: async () => {
      await instance.close();
      await database.drop();
    },
  };
}
