import type { components } from '../../test/client/schema';

/** The API's types, generated from openapi.json (`npm run openapi:client`). */
export type Schemas = components['schemas'];
export type Patient = Schemas['PatientDto'];
export type Doctor = Schemas['DoctorDto'];
export type Problem = Schemas['Problem'];
type LoginAnswer = { access: string; refresh: string; user: Account } | { mfa_required: true; mfa_token: string };
export type Account = { id: number; username: string; email: string; role: string; name?: string | null };

/** The signed-in session: in memory, and in sessionStorage so a reload keeps it (never localStorage). */
interface Session {
  access: string;
  refresh: string;
  user: Account;
}

const STORAGE_KEY = 'healthcare.console.session';
let session: Session | undefined = load();

function load(): Session | undefined {
  try {
    const stored = sessionStorage.getItem(STORAGE_KEY);
    return stored ? (JSON.parse(stored) as Session) : undefined;
  } catch {
    return undefined;
  }
}

function save(next: Session | undefined): void {
  session = next;
  if (next) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  else sessionStorage.removeItem(STORAGE_KEY);
}

export const currentSession = () => session;

/** An answer of the API that is not a 2xx: its status and its problem+json body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem>,
  ) {
    super(problem.detail ?? `HTTP ${status}`);
  }
}

/** The login needs a second factor: send `mfa_token` with a code to `loginWithCode`. */
export class MfaRequired extends Error {
  constructor(readonly mfaToken: string) {
    super('mfa_required');
  }
}

async function post<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return (await read(response)) as T;
}

async function read(response: Response): Promise<unknown> {
  const text = await response.text();
  const body: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new ApiError(response.status, body ?? {});
  return body;
}

export async function login(identifier: string, password: string): Promise<Account> {
  const name = identifier.includes('@') ? { email: identifier } : { username: identifier };
  const answer = await post<LoginAnswer>('/api/auth/login/', { ...name, password });
  if ('mfa_required' in answer) throw new MfaRequired(answer.mfa_token);
  save(answer);
  return answer.user;
}

export async function loginWithCode(mfaToken: string, code: string): Promise<Account> {
  const answer = await post<LoginAnswer>('/api/auth/login/mfa/', { mfa_token: mfaToken, code });
  if ('mfa_required' in answer) throw new MfaRequired(answer.mfa_token);
  save(answer);
  return answer.user;
}

export async function logout(): Promise<void> {
  const refresh = session?.refresh;
  save(undefined);
  // The session ends on the server too; an expired one is gone already.
  if (refresh) await post('/api/auth/logout/', { refresh }).catch(() => undefined);
}

/**
 * The one refresh in flight: refresh tokens are single use (a spent one presented again revokes
 * the whole session), so concurrent 401s wait for it rather than each refreshing.
 */
let refreshing: Promise<void> | undefined;

function refreshOnce(): Promise<void> {
  refreshing ??= (async () => {
    const current = session;
    if (!current) throw new ApiError(401, { detail: 'Not signed in.' });
    try {
      const tokens = await post<{ access: string; refresh: string }>('/api/auth/token/refresh/', { refresh: current.refresh });
      save({ ...current, ...tokens });
    } catch (error) {
      save(undefined);
      throw error;
    }
  })().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

export interface ApiResponse<T> {
  body: T;
  headers: Headers;
}

/** A request with the access token; on a 401 it refreshes (once for all callers) and retries once. */
export async function api<T>(path: string, init: RequestInit = {}): Promise<ApiResponse<T>> {
  const send = (access: string | undefined) => {
    const headers = new Headers(init.headers);
    if (access) headers.set('Authorization', `Bearer ${access}`);
    if (init.body !== undefined) headers.set('Content-Type', 'application/json');
    return fetch(path, { ...init, headers });
  };
  const usedToken = session?.access;
  let response = await send(usedToken);
  if (response.status === 401 && session) {
    // Another request may have refreshed meanwhile: then just retry with its token.
    if (session.access === usedToken) await refreshOnce();
    response = await send(session?.access);
  }
  return { body: (await read(response)) as T, headers: response.headers };
}
