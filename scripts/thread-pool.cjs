// Preloaded by every command that starts the service (`node -r ./scripts/thread-pool.cjs …`: npm
// start, start:cluster, start:dev, the Docker image, the benchmark), before any module of the app
// loads, so no import order can undo it.
//
// libuv's thread pool, where argon2 hashes passwords: one thread per CPU (at least two) instead of
// libuv's four. Each thread's malloc arena keeps the memory of the last hash it ran (12 MiB), so four
// threads on a 2-CPU machine held some 25 MB more after a burst of logins, for no speed (argon2 is
// CPU-bound). libuv reads the variable when the pool starts, at its first task. An operator's own
// UV_THREADPOOL_SIZE wins. Cluster workers inherit both this flag and the variable.
const { availableParallelism } = require('node:os');

process.env.UV_THREADPOOL_SIZE ??= String(Math.max(2, availableParallelism()));
