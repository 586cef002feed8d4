import { availableParallelism } from 'node:os';

/*
 * libuv's thread pool, where argon2 hashes passwords: one thread per CPU (at least two) instead
 * of libuv's four. Each thread's malloc arena keeps the memory of the last hash it ran (12 MiB), so
 * four threads on a 2-CPU machine held some 25 MB more after a burst of logins, for no speed (argon2
 * is CPU-bound). libuv reads this when the pool starts, at its first task: main.ts imports this
 * module before anything else. An operator's own UV_THREADPOOL_SIZE wins.
 */
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(2, availableParallelism()));
