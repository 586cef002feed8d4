import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

interface BuildStamp {
  buildReason: (root: string) => string | undefined;
  buildIfChanged: (root: string, build?: () => void) => boolean;
  consoleBuildReason: (root: string) => string | undefined;
  buildConsoleIfChanged: (root: string, build?: () => void) => boolean;
  INPUTS: string[];
  STAMP: string;
  CONSOLE_STAMP: string;
}
const { buildReason, buildIfChanged, consoleBuildReason, buildConsoleIfChanged, STAMP, CONSOLE_STAMP } = createRequire(__filename)(
  '../scripts/build-if-changed.cjs',
) as BuildStamp;

/** What `npm start` runs first: a build only when a source changed since the last one. */
describe('scripts/build-if-changed.cjs', () => {
  let root: string;
  let builds: number;
  /** A stand-in for `nest build`: it empties dist and writes the outputs, as deleteOutDir does. */
  const build = () => {
    builds++;
    rmSync(join(root, 'dist'), { recursive: true, force: true });
    for (const output of ['dist/src/main.js', 'dist/scripts/cluster.js']) write(output, '');
  };
  /** Builds, then dates that build 30 s back, so a file touched 10 s ago changed after it. */
  const buildThen = () => {
    const built = buildIfChanged(root, build);
    writeFileSync(join(root, STAMP), String(Date.now() - 30_000));
    return built;
  };
  const write = (file: string, content = 'x') => {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), content);
  };
  /** Sets a file's modification time `seconds` from now (in the past: the test needs no waiting). */
  const touch = (file: string, seconds: number) => {
    const at = new Date(Date.now() + seconds * 1000);
    utimesSync(join(root, file), at, at);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'hc-build-stamp-'));
    builds = 0;
    for (const file of [
      'src/main.ts',
      'src/core/deep/file.ts',
      'scripts/cluster.ts',
      'migrations/index.ts',
      'tsconfig.json',
      'package-lock.json',
    ]) {
      write(file);
      touch(file, -60);
    }
    for (const folder of ['src/core/deep', 'src/core', 'src', 'scripts', 'migrations']) touch(folder, -60);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('builds the first time, then not again while nothing changed', () => {
    expect(buildReason(root)).toBe('no previous build');
    expect(buildIfChanged(root, build)).toBe(true);
    expect(buildReason(root)).toBeUndefined();
    expect(buildIfChanged(root, build)).toBe(false);
    expect(builds).toBe(1);
  });

  it.each(['src/core/deep/file.ts', 'scripts/cluster.ts', 'migrations/index.ts', 'tsconfig.json', 'package-lock.json'])(
    'builds again once %s is newer than the last build',
    (file) => {
      buildThen();
      touch(file, -10);
      expect(buildReason(root)).toBe(`${file.split('/')[0]} changed`);
      expect(buildThen()).toBe(true);
      expect(builds).toBe(2);
    },
  );

  it('builds again after a file was added, or when the stamp or an output is missing', () => {
    buildThen();
    write('src/new.ts');
    touch('src/new.ts', -10);
    touch('src', -10);
    expect(buildReason(root)).toBe('src changed');
    buildIfChanged(root, build);
    expect(buildReason(root)).toBeUndefined();

    rmSync(join(root, 'dist/src/main.js'));
    expect(buildReason(root)).toBe('the previous build is incomplete');
    buildThen();
    rmSync(join(root, STAMP));
    expect(buildReason(root)).toBe('no previous build');
  });

  it('writes no stamp when the build fails, so the next start builds again', () => {
    expect(() =>
      buildIfChanged(root, () => {
        throw new Error('tsc failed');
      }),
    ).toThrow('tsc failed');
    expect(buildReason(root)).toBe('no previous build');
  });

  it('builds the console on its own, when its sources or the API types changed', () => {
    let consoleBuilds = 0;
    /** A stand-in for the console's vite build: it empties admin/dist and writes index.html. */
    const buildConsole = () => {
      consoleBuilds++;
      rmSync(join(root, 'admin/dist'), { recursive: true, force: true });
      write('admin/dist/index.html', '');
    };
    for (const file of ['admin/src/App.tsx', 'admin/index.html', 'test/client/schema.d.ts']) {
      write(file);
      touch(file, -60);
    }
    touch('admin/src', -60);
    expect(consoleBuildReason(root)).toBe('no previous build');
    expect(buildConsoleIfChanged(root, buildConsole)).toBe(true);
    expect(buildConsoleIfChanged(root, buildConsole)).toBe(false);
    writeFileSync(join(root, CONSOLE_STAMP), String(Date.now() - 30_000));

    // A server source is not the console's: only the server builds again.
    touch('src/main.ts', -10);
    expect(consoleBuildReason(root)).toBeUndefined();
    for (const [file, folder] of [
      ['admin/src/App.tsx', 'admin/src'],
      ['test/client/schema.d.ts', 'test/client/schema.d.ts'],
    ]) {
      touch(file, -10);
      expect(consoleBuildReason(root)).toBe(`${folder} changed`);
      expect(buildConsoleIfChanged(root, buildConsole)).toBe(true);
      writeFileSync(join(root, CONSOLE_STAMP), String(Date.now() - 30_000));
      touch(file, -60);
    }
    expect(consoleBuildReason(root)).toBeUndefined();
    rmSync(join(root, 'admin/dist/index.html'));
    expect(consoleBuildReason(root)).toBe('the previous build is incomplete');
    expect(consoleBuilds).toBe(3);
    expect(builds).toBe(0);
  });
});
