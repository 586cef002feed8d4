import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FixedWindowThrottlerStorage } from './fixed-window-storage';

const TTL = 60_000;

describe('FixedWindowThrottlerStorage', () => {
  let storage: FixedWindowThrottlerStorage;
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    storage = new FixedWindowThrottlerStorage();
  });
  afterEach(() => {
    storage.onApplicationShutdown();
    vi.useRealTimers();
  });

  const hit = (key = 'user:1', limit = 3, name = 'default') => storage.increment(key, TTL, limit, TTL, name);

  it('counts hits per key and throttler within the window', async () => {
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    await hit();
    expect((await hit()).totalHits).toBe(3);
    expect((await hit('user:2')).totalHits).toBe(1);
    expect((await hit('user:1', 3, 'auth')).totalHits).toBe(1);
  });

  it('blocks past the limit until the block ends, then counts afresh', async () => {
    for (let i = 0; i < 3; i++) expect((await hit()).isBlocked).toBe(false);
    vi.advanceTimersByTime(10_000);
    expect(await hit()).toEqual({ totalHits: 4, timeToExpire: 50, isBlocked: true, timeToBlockExpire: 60 });
    vi.advanceTimersByTime(30_000);
    expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 30 });
    vi.advanceTimersByTime(30_000);
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('starts a new window when the last one has ended', async () => {
    await hit();
    await hit();
    vi.advanceTimersByTime(TTL);
    expect(await hit()).toMatchObject({ totalHits: 1, timeToExpire: 60 });
  });

  it('forgets callers whose window has ended, and only those', async () => {
    const sizeOf = () => (storage as unknown as { counters: Map<string, unknown> }).counters.size;
    await hit('user:1');
    vi.advanceTimersByTime(TTL / 2);
    await hit('user:2');
    vi.advanceTimersByTime(TTL / 2); // the sweep runs: user:1's window has ended, user:2's has not
    expect(sizeOf()).toBe(1);
    expect((await hit('user:2')).totalHits).toBe(2);
  });
});
