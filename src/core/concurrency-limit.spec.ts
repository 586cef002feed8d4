import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from './concurrency-limit';

/** The end of a task, held back until `finish()` is called. */
function gate() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { done, finish };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ConcurrencyLimit', () => {
  it('runs at most `limit` tasks at once, the rest in the order they came', async () => {
    const limit = new ConcurrencyLimit(2);
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const results = gates.map((g, index) =>
      limit.run(async () => {
        started.push(index);
        most = Math.max(most, ++running);
        await g.done;
        running--;
        return index;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    gates[1].finish();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0].finish();
    gates[2].finish();
    gates[3].finish();
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3]);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(most).toBe(2);
  });

  it('frees the slot of a task that fails', async () => {
    const limit = new ConcurrencyLimit(1);
    await expect(limit.run(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    await expect(limit.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
