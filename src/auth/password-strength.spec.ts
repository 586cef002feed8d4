import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { StrengthEstimator } from './password-strength';

describe('the password strength estimator', () => {
  it('answers each check with its own verdict, in a thread that ends when idle and starts again for the next check', async () => {
    const estimator = new StrengthEstimator(100);
    expect(estimator.isRunning).toBe(false);
    const [weak, strong, personal] = await Promise.all([
      estimator.check('password123', []),
      estimator.check('quiet lantern orbit 97', []),
      estimator.check('marigold.finch', ['marigold.finch']),
    ]);
    expect(weak).toEqual({ score: 0, warning: expect.stringMatching(/commonly used/), suggestions: expect.any(Array) });
    expect(strong.score).toBeGreaterThanOrEqual(3);
    expect(personal.score).toBeLessThan(3);
    expect(estimator.isRunning).toBe(true);

    await sleep(400);
    expect(estimator.isRunning).toBe(false);
    expect((await estimator.check('password123', [])).score).toBe(0);
    expect(estimator.isRunning).toBe(true);
  });
});
