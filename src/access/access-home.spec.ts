import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = dirname(__dirname);

/**
 * The shapes an access rule takes when it is written outside src/access: a role test of the
 * caller, an owner or linked-account comparison, a query builder's bracketed OR. A service that
 * needs one asks access.policy.ts instead, so the policy is written once.
 */
const RULE_SHAPES: [string, RegExp][] = [
  ["a test of the caller's role", /\buser\.role\s*(===|!==)\s*Role\./],
  ['an owner comparison', /created_?by_?id\s*((===|!==)\s*user\.id|=\s*[:$])/i],
  ['a linked-account comparison', /user_?id\s*((===|!==)\s*user\.id|=\s*[:$])/i],
  ['a bracketed query-builder condition', /\bnew Brackets\(/],
];

describe('access rules have one home', () => {
  it('no service writes an access rule of its own', () => {
    const services = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.service.ts'));
    const found = services.flatMap((name) => {
      const text = readFileSync(join(SRC, name), 'utf8');
      return RULE_SHAPES.filter(([, shape]) => shape.test(text)).map(([what]) => `${name}: ${what}`);
    });
    expect(services.length).toBeGreaterThan(8);
    expect(found).toEqual([]);
  });
});
