import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CORE = __dirname;
const SRC = dirname(CORE);

/** Relative module specifiers of a file: static imports and exports, dynamic imports, requires. */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const pattern = /(?:from\s+|import\s*\(\s*|require\(\s*|import\s+)(['"])(\.{1,2}\/[^'"]+)\1/g;
  return [...text.matchAll(pattern)].map((match) => match[2]);
}

/**
 * core/ is the foundation the features stand on: it may name nothing of theirs, or a change to a
 * feature could break the service's plumbing and every other feature with it.
 */
describe('core/', () => {
  it('imports no feature folder', () => {
    const files = readdirSync(CORE, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts'));
    const outside = files.flatMap((name) => {
      const file = join(CORE, name);
      return relativeImports(file)
        .map((specifier) => relative(SRC, resolve(dirname(file), specifier)))
        .filter((target) => !target.startsWith('core/') && !target.startsWith('../')) // outside src/: migrations, package.json
        .map((target) => `core/${name} imports ${target}`);
    });
    expect(files.length).toBeGreaterThan(20);
    expect(outside).toEqual([]);
  });
});
