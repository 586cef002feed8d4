import { afterEach, describe, expect, it, vi } from 'vitest';
import { RecentEntries } from './recent-entries';

describe('RecentEntries', () => {
  afterEach(() => vi.useRealTimers());

  it('answers what was set, until it is deleted or all is cleared', () => {
    const entries = new RecentEntries<string, number>(10);
    entries.set('a', 1);
    entries.set('b', 2);
    expect([entries.get('a'), entries.get('b'), entries.get('c')]).toEqual([1, 2, undefined]);
    entries.delete('a');
    expect(entries.get('a')).toBeUndefined();
    entries.clear();
    expect(entries.get('b')).toBeUndefined();
  });

  it('when full, forgets the entry set longest ago; setting again makes an entry the newest', () => {
    const entries = new RecentEntries<string, number>(2);
    entries.set('a', 1);
    entries.set('b', 2);
    entries.set('a', 3);
    entries.set('c', 4);
    expect([entries.get('a'), entries.get('b'), entries.get('c')]).toEqual([3, undefined, 4]);
  });

  it('forgets an entry older than its maximum age', () => {
    vi.useFakeTimers();
    const entries = new RecentEntries<string, number>(10, 1000);
    entries.set('a', 1);
    vi.advanceTimersByTime(999);
    expect(entries.get('a')).toBe(1);
    vi.advanceTimersByTime(1);
    expect(entries.get('a')).toBeUndefined();
  });

  it('keeps entries without a maximum age until they are pushed out', () => {
    vi.useFakeTimers();
    const entries = new RecentEntries<string, number>(1);
    entries.set('a', 1);
    vi.advanceTimersByTime(365 * 86_400_000);
    expect(entries.get('a')).toBe(1);
  });
});
