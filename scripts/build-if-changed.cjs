// Runs before `npm start` and `npm run start:cluster`: builds only when a source of the build
// changed since the last one, so a restart with nothing changed starts at once (a build takes
// some 10 s). dist/.build-stamp holds the time the last successful build started: a file edited
// while it ran is newer, and so builds again next time. The console (admin/, served at /admin)
// is a build of its own, stamped in admin/dist/.build-stamp.
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

/** The console's build reads these (the API's generated types included); vite empties admin/dist. */
const CONSOLE_INPUTS = [
  'admin/src',
  'admin/index.html',
  'admin/public',
  'admin/vite.config.ts',
  'admin/tsconfig.json',
  'admin/package.json',
  'package-lock.json',
  'test/client/schema.d.ts',
];
const CONSOLE_STAMP = join('admin', 'dist', '.build-stamp');
const CONSOLE_OUTPUTS = [join('admin', 'dist', 'index.html')];

const SERVER = { name: 'the server', inputs: INPUTS, stamp: STAMP, outputs: OUTPUTS };
const CONSOLE = { name: 'the console', inputs: CONSOLE_INPUTS, stamp: CONSOLE_STAMP, outputs: CONSOLE_OUTPUTS };

/** Why `target` of `root` needs a build, or undefined when its output is up to date. */
function reasonFor(root, { inputs, stamp, outputs }) {
  const stampFile = join(root, stamp);
  if (!existsSync(stampFile)) return 'no previous build';
  if (outputs.some((output) => !existsSync(join(root, output)))) return 'the previous build is incomplete';
  const builtAt = Number(readFileSync(stampFile, 'utf8'));
  if (!Number.isFinite(builtAt)) return 'the build stamp is unreadable';
  const changed = inputs.find((input) => newestMtime(join(root, input)) > builtAt);
  return changed === undefined ? undefined : `${changed} changed`;
}

function buildTargetIfChanged(root, target, build) {
  const reason = reasonFor(root, target);
  if (reason === undefined) return false;
  console.info(`Building ${target.name} (${reason})...`);
  const startedAt = Date.now();
  build();
  writeFileSync(join(root, target.stamp), String(startedAt));
  return true;
}

/** Why `root` needs a server build, or undefined when dist is up to date. */
const buildReason = (root) => reasonFor(root, SERVER);

/** Builds `root` (nest build) when needed and stamps it; returns whether it built. */
const buildIfChanged = (
  root,
  build = () => execFileSync(join(root, 'node_modules', '.bin', 'nest'), ['build'], { cwd: root, stdio: 'inherit' }),
) => buildTargetIfChanged(root, SERVER, build);

/** Why the console of `root` needs a build, or undefined when admin/dist is up to date. */
const consoleBuildReason = (root) => reasonFor(root, CONSOLE);

/** Builds the console (type check and vite build) when needed and stamps it; returns whether it built. */
const buildConsoleIfChanged = (
  root,
  build = () => execFileSync('npm', ['run', 'build', '--workspace', 'admin'], { cwd: root, stdio: 'inherit' }),
) => buildTargetIfChanged(root, CONSOLE, build);

module.exports = { buildReason, buildIfChanged, consoleBuildReason, buildConsoleIfChanged, INPUTS, STAMP, CONSOLE_INPUTS, CONSOLE_STAMP };

if (require.main === module) {
  const root = join(__dirname, '..');
  buildIfChanged(root);
  buildConsoleIfChanged(root);
}
