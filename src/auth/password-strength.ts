import { Worker } from 'node:worker_threads';

/** zxcvbn's verdict on a password: its score (0-4) and what it would tell the user. */
export interface Strength {
  score: number;
  warning: string;
  suggestions: string[];
}

/**
 * The thread's code, evaluated rather than loaded from a file, so it runs the same from the build
 * and from the sources under test. Its packages come as resolved paths: an evaluated worker
 * resolves a bare name from the working directory, which need not be the project's.
 */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { ZxcvbnFactory } = require(workerData.core);
const common = require(workerData.common);
const en = require(workerData.en);
const estimator = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...en.dictionary },
  graphs: common.adjacencyGraphs,
  translations: en.translations,
  l33tMaxSubstitutions: workerData.l33tMaxSubstitutions,
});
parentPort.on('message', ({ id, password, words }) => {
  const { score, feedback } = estimator.check(password, words);
  parentPort.postMessage({ id, score, warning: feedback.warning ?? '', suggestions: feedback.suggestions });
});`;

/**
 * zxcvbn with its common (leaked passwords, diceware) and English (words, names, Wikipedia)
 * dictionaries, in a worker thread of its own that ends when idle: the dictionaries take some
 * 400 ms to build and 23 MB of heap (about 45 MB of RSS), which a service that mostly serves
 * records would otherwise keep, and every full garbage collection would walk, for its life.
 */
export class StrengthEstimator {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { resolve(strength: Strength): void; reject(error: Error): void }>();
  private nextId = 0;
  private idle: NodeJS.Timeout | undefined;

  /** `idleMs`: how long the thread stays after its last check. */
  constructor(private readonly idleMs = 10_000) {}

  /** Whether the thread is up (it is between a check and `idleMs` after the last one). */
  get isRunning(): boolean {
    return this.worker !== undefined;
  }

  check(password: string, words: string[]): Promise<Strength> {
    const worker = this.running();
    clearTimeout(this.idle);
    const id = this.nextId++;
    return new Promise<Strength>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, password, words });
    });
  }

  private running(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(SOURCE, {
      eval: true,
      // Not the process's preloads (the thread-pool setting, a profiler): it runs zxcvbn, nothing else.
      execArgv: [],
      workerData: {
        core: require.resolve('@zxcvbn-ts/core'),
        common: require.resolve('@zxcvbn-ts/language-common'),
        en: require.resolve('@zxcvbn-ts/language-en'),
        // Substitutable characters tried in l33t matching (default 100): with 10, the same scores
        // on our samples and a third of the CPU per check. A password with more is long anyway.
        l33tMaxSubstitutions: 10,
      },
    });
    // Never what keeps the process alive (a script, a test run, a shutdown).
    worker.unref();
    worker.on('message', ({ id, ...strength }: Strength & { id: number }) => {
      this.pending.get(id)?.resolve(strength);
      this.pending.delete(id);
      if (this.pending.size === 0) this.idle = setTimeout(() => this.stop(worker), this.idleMs).unref();
    });
    const failed = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const check of this.pending.values()) check.reject(error);
      this.pending.clear();
    };
    worker.on('error', failed);
    worker.on('exit', () => failed(new Error('The password strength estimator stopped.')));
    return (this.worker = worker);
  }

  private stop(worker: Worker): void {
    if (this.worker !== worker || this.pending.size > 0) return;
    this.worker = undefined;
    // Its exit would otherwise reject the checks of the thread that follows it.
    worker.removeAllListeners();
    void worker.terminate();
  }
}
