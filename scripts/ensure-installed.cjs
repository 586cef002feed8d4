// Runs before `npm start` and `npm test`: on a fresh clone, install the dependencies first, so
// each of those is the one command a newcomer needs.
const { existsSync } = require('node:fs');
const { execSync } = require('node:child_process');

if (!existsSync('node_modules/.package-lock.json')) {
  console.info('Installing dependencies (first run)...');
  execSync('npm install --no-audit --no-fund', { stdio: 'inherit' });
}
