// What-if preload, for measuring recommendation "pass JWT secrets as KeyObjects" without changing
// src/: `BENCH_SERVICE_NODE_ARGS="-r ./bench/tools/jwt-keyobject.cjs" npm run bench`.
// jsonwebtoken turns a string secret into a key on every call by first trying
// crypto.createPublicKey(secret), which makes OpenSSL 3 try (and fail) to decode it as a public
// key: ~0.9 ms per call. Handing it a KeyObject made once per secret skips that.
'use strict';
const { createSecretKey } = require('node:crypto');
const path = require('node:path');

// The copy the service loads: resolved from its main script, else from here.
const from = [process.argv[1] ? path.dirname(process.argv[1]) : undefined, __dirname].filter(Boolean);
const jwt = require(require.resolve('jsonwebtoken', { paths: from }));
const keys = new Map();
const keyOf = (secret) => {
  if (typeof secret !== 'string') return secret;
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = createSecretKey(Buffer.from(secret, 'utf8'))));
  return key;
};
for (const name of ['sign', 'verify']) {
  const original = jwt[name];
  jwt[name] = function withKeyObject(subject, secret, ...rest) {
    return original.call(this, subject, keyOf(secret), ...rest);
  };
}
