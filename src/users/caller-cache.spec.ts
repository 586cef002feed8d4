import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DataSource } from 'typeorm';
import type { AuthUser } from '../core/auth/auth-user';
import type { AppConfig } from '../core/config/app-config';
import { CallerCache } from './caller-cache';
import { Role } from '../core/auth/role';

/** A cache whose listener is never started: the tests play its events themselves. */
function listeningCache(): CallerCache {
  const pool = { Client: class {}, options: {} };
  const dataSource = { driver: { master: pool } } as unknown as DataSource;
  const cache = new CallerCache({ authUserCache: true } as AppConfig, dataSource);
  cache.listening(true);
  return cache;
}

const account = (id: number, role = Role.Patient): AuthUser => ({ id, username: `user${id}`, role });

/** A load that counts its calls and answers what `current` holds at the time. */
const loader = (current: { user: AuthUser | null }) => vi.fn(() => Promise.resolve(current.user && { ...current.user }));

describe('CallerCache', () => {
  afterEach(() => vi.useRealTimers());

  it('loads an account once, then answers it from memory, frozen', async () => {
    const cache = listeningCache();
    const load = loader({ user: account(1) });
    const first = await cache.get(1, load);
    const second = await cache.get(1, load);
    expect(second).toEqual(account(1));
    expect(second).toBe(first);
    expect(Object.isFrozen(second)).toBe(true);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('does not remember a missing or inactive account', async () => {
    const cache = listeningCache();
    const load = loader({ user: null });
    expect(await cache.get(1, load)).toBeNull();
    expect(await cache.get(1, load)).toBeNull();
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('loads again after a notification about the account, or about all of them', async () => {
    const cache = listeningCache();
    const current = { user: account(1) };
    const load = loader(current);
    await cache.get(1, load);
    current.user = account(1, Role.Admin);
    cache.message('1');
    expect((await cache.get(1, load))?.role).toBe(Role.Admin);
    current.user = account(1, Role.Doctor);
    cache.message('*');
    expect((await cache.get(1, load))?.role).toBe(Role.Doctor);
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('keeps other accounts when one is forgotten', async () => {
    const cache = listeningCache();
    const load = vi.fn((id: number) => Promise.resolve(account(id)));
    await cache.get(1, () => load(1));
    await cache.get(2, () => load(2));
    cache.forget(1);
    await cache.get(1, () => load(1));
    await cache.get(2, () => load(2));
    expect(load.mock.calls.map(([id]) => id)).toEqual([1, 2, 1]);
  });

  it('does not remember a load that was under way when a change was notified: it may predate the change', async () => {
    const cache = listeningCache();
    let answer!: (user: AuthUser) => void;
    const stale = cache.get(1, () => new Promise<AuthUser>((resolve) => (answer = resolve)));
    cache.message('1');
    answer(account(1, Role.Patient));
    expect((await stale)?.role).toBe(Role.Patient);
    const load = loader({ user: account(1, Role.Admin) });
    expect((await cache.get(1, load))?.role).toBe(Role.Admin);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('remembers nothing while not listening, and forgets everything when listening stops or starts', async () => {
    const cache = listeningCache();
    const load = loader({ user: account(1) });
    await cache.get(1, load);
    cache.listening(false);
    await cache.get(1, load);
    await cache.get(1, load);
    expect(load).toHaveBeenCalledTimes(3);
    cache.listening(true);
    await cache.get(1, load);
    await cache.get(1, load);
    expect(load).toHaveBeenCalledTimes(4);
  });

  it('loads an account again after a minute even without a notification', async () => {
    vi.useFakeTimers();
    const cache = listeningCache();
    const load = loader({ user: account(1) });
    await cache.get(1, load);
    vi.advanceTimersByTime(59_000);
    await cache.get(1, load);
    expect(load).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(2_000);
    await cache.get(1, load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('keeps at most 10,000 accounts, forgetting the one remembered longest ago', async () => {
    const cache = listeningCache();
    const load = vi.fn((id: number) => Promise.resolve(account(id)));
    for (let id = 1; id <= 10_001; id++) await cache.get(id, () => load(id));
    load.mockClear();
    await cache.get(10_001, () => load(10_001));
    await cache.get(2, () => load(2));
    expect(load).not.toHaveBeenCalled();
    await cache.get(1, () => load(1));
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('with AUTH_USER_CACHE off, loads on every request', async () => {
    const cache = new CallerCache({ authUserCache: false } as AppConfig, {} as DataSource);
    const load = loader({ user: account(1) });
    await cache.get(1, load);
    await cache.get(1, load);
    expect(load).toHaveBeenCalledTimes(2);
  });
});
