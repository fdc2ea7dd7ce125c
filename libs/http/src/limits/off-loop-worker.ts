import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Logger } from '@nestjs/common';
import type { AppMetrics } from '@runstream/observability';
import Piscina from 'piscina';
import { serviceUnavailable } from '../errors/retry-later.exception';

/** The repository root, seen from this file's sources (libs/http/src/limits); compiled, the files beside it are used. */
const SOURCE_ROOT = join(__dirname, '..', '..', '..', '..');

/**
 * A worker module's compiled file: `<dir>/<name>.js` beside the code that uses it; from the
 * TypeScript sources (tests run them through swc) the build's copy under dist/, which the
 * integration tier's global setup builds first. Throws when neither exists, so an app missing
 * one fails at boot rather than at its first large request.
 */
export function workerScript(dir: string, name: string): string {
  const candidates = [join(dir, `${name}.js`), join(SOURCE_ROOT, 'dist', relative(SOURCE_ROOT, dir), `${name}.js`)];
  const found = candidates.find((file) => existsSync(file));
  if (found === undefined) throw new Error(`worker script ${name}.js not found (looked in ${candidates.join(', ')}); run npm run build`);
  return found;
}

export interface OffLoopWorkerOptions {
  /** The worker's name in metrics (runstream_worker_tasks_total{worker}). */
  name: string;
  /** Tasks waiting at once before run() answers 503; each holds its input (at most a body). */
  maxQueued: number;
  /** What a 503 says is waiting, e.g. "large bodies". */
  waiting: string;
  metrics?: Pick<AppMetrics, 'workerTask' | 'watchWorkerQueue'>;
}

/** The thread exits after this long without a task, so an app that never needs it holds none. */
const IDLE_MS = 60_000;
const RETRY_AFTER_SECONDS = 1;
/**
 * The thread's nice value above the process's (Linux: per thread): on a busy host the scheduler
 * runs the event loop first, so a burst of large bodies delays those bodies, not every request.
 */
const NICE_INCREMENT = 10;

/**
 * One worker thread (piscina) for CPU-heavy work on large inputs, so that it does not hold the
 * event loop every request shares; started at the first task. One thread: the point is the
 * loop's latency, not throughput. A full queue is overload, answered 503 with Retry-After.
 */
export class OffLoopWorker<Task, Result> {
  private readonly logger = new Logger(OffLoopWorker.name);
  private pool?: Piscina<Task, Result>;
  private closed = false;

  constructor(
    private readonly filename: string,
    private readonly options: OffLoopWorkerOptions,
  ) {
    options.metrics?.watchWorkerQueue(options.name, () => this.pool?.queueSize ?? 0);
  }

  /** The task's result; a full queue, a closed worker or a failed thread reject with 503 + Retry-After. */
  run(task: Task): Promise<Result> {
    if (this.closed) return this.refuse('busy', 'the server is shutting down');
    const pool = (this.pool ??= this.startPool());
    if (pool.queueSize >= this.options.maxQueued) return this.refuse('busy', `too many ${this.options.waiting} are waiting to be processed`);
    return pool.run(task).then(
      (result) => {
        this.options.metrics?.workerTask(this.options.name, 'done');
        return result;
      },
      (error: unknown) => {
        this.logger.error(`worker ${this.filename} failed a task: ${String(error)}`);
        return this.refuse('failed', `the ${this.options.waiting} could not be processed`);
      },
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pool?.destroy();
    this.pool = undefined;
  }

  private startPool(): Piscina<Task, Result> {
    const pool = new Piscina<Task, Result>({ filename: this.filename, minThreads: 0, maxThreads: 1, idleTimeout: IDLE_MS, niceIncrement: NICE_INCREMENT });
    // A thread that fails outside a task (it cannot load its script) would otherwise end the
    // process; the pool is dropped, its queued tasks rejected, and the next task starts a new one.
    pool.on('error', (error: unknown) => {
      this.logger.error(`worker ${this.filename} failed: ${String(error)}`);
      if (this.pool === pool) this.pool = undefined;
      void pool.destroy();
    });
    return pool;
  }

  private refuse(outcome: 'busy' | 'failed', reason: string): Promise<never> {
    this.options.metrics?.workerTask(this.options.name, outcome);
    return Promise.reject(serviceUnavailable(`${reason}; retry shortly`, RETRY_AFTER_SECONDS));
  }
}
