// Runs after `npm run build`: copies ReDoc's standalone bundle (a dev dependency) next to the
// compiled module that serves /redoc, so a production image without dev dependencies has it.
const { copyFileSync, existsSync } = require('node:fs');
const { dirname, join } = require('node:path');

const bundle = require.resolve('redoc/bundles/redoc.standalone.js');
const target = join(__dirname, '..', 'dist', 'src', 'core', 'openapi');
if (!existsSync(target)) throw new Error(`${target} does not exist: run nest build first`);
for (const file of ['redoc.standalone.js', 'redoc.standalone.js.LICENSE.txt']) {
  copyFileSync(join(dirname(bundle), file), join(target, file));
}
