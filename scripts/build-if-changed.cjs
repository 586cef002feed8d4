// Runs before `npm start` and `npm run start:cluster`: builds only when a source of the build
// changed since the last one, so a restart with nothing changed starts at once (a build takes
// some 10 s). dist/.build-stamp holds the time the last successful build started: a file edited
// while it ran is newer, and so builds again next time.
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, readFileSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

/** Everything the build reads, relative to the project folder: folders are walked. */
const INPUTS = [
  'src',
  'scripts',
  'migrations',
  'ormconfig.ts',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
  'package.json',
  'package-lock.json',
];
const STAMP = join('dist', '.build-stamp');
/** The files the start commands run; a build that lost one is no build. */
const OUTPUTS = [join('dist', 'src', 'main.js'), join('dist', 'scripts', 'cluster.js')];

/** The newest modification time (ms) of `path` and, for a folder, of everything in it. */
function newestMtime(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0; // absent (an optional input): nothing to compare
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  // A folder's own time changes when a file in it is deleted or renamed.
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Why `root` needs a build, or undefined when dist is up to date. */
function buildReason(root) {
  const stampFile = join(root, STAMP);
  if (!existsSync(stampFile)) return 'no previous build';
  if (OUTPUTS.some((output) => !existsSync(join(root, output)))) return 'the previous build is incomplete';
  const builtAt = Number(readFileSync(stampFile, 'utf8'));
  if (!Number.isFinite(builtAt)) return 'the build stamp is unreadable';
  const changed = INPUTS.find((input) => newestMtime(join(root, input)) > builtAt);
  return changed === undefined ? undefined : `${changed} changed`;
}

/** Builds `root` (nest build) when needed and stamps it; returns whether it built. */
function buildIfChanged(
  root,
  build = () => execFileSync(join(root, 'node_modules', '.bin', 'nest'), ['build'], { cwd: root, stdio: 'inherit' }),
) {
  const reason = buildReason(root);
  if (reason === undefined) return false;
  console.info(`Building (${reason})...`);
  const startedAt = Date.now();
  build();
  writeFileSync(join(root, STAMP), String(startedAt));
  return true;
}

module.exports = { buildReason, buildIfChanged, INPUTS, STAMP };

if (require.main === module) buildIfChanged(join(__dirname, '..'));
