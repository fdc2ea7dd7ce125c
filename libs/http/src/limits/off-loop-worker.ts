import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import Piscina from 'piscina';
import { serviceUnavailable } from '../errors/retry-later.exception';

/** The repository root, seen from this file's sources (libs/http/src/limits); compiled, the files beside it are used. */
const SOURCE_ROOT = join(__dirname, '..', '..', '..', '..');

/**
 * A worker module's compiled file: `<dir>/<name>.js` beside the code that uses it; from the
 * TypeScript sources (tests run them through swc) the build's copy under dist/, which the
 * integration tier's global setup builds first.
 */
export function workerScript(dir: string, name: string): string {
  const compiled = join(dir, `${name}.js`);
  return existsSync(compiled) ? compiled : join(SOURCE_ROOT, 'dist', relative(SOURCE_ROOT, dir), `${name}.js`);
}

export interface OffLoopWorkerOptions {
  /** Tasks waiting at once before run() answers 503; each holds its input (at most a body). */
  maxQueued: number;
  /** What a 503 says is waiting, e.g. "large bodies". */
  waiting: string;
}

/** The thread exits after this long without a task, so an app that never needs it holds none. */
const IDLE_MS = 60_000;
const QUEUE_FULL_RETRY_AFTER_SECONDS = 1;
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
  private pool?: Piscina<Task, Result>;

  constructor(
    private readonly filename: string,
    private readonly options: OffLoopWorkerOptions,
  ) {}

  run(task: Task): Promise<Result> {
    this.pool ??= new Piscina({ filename: this.filename, minThreads: 0, maxThreads: 1, idleTimeout: IDLE_MS, niceIncrement: NICE_INCREMENT });
    if (this.pool.queueSize >= this.options.maxQueued) {
      return Promise.reject(serviceUnavailable(`too many ${this.options.waiting} are waiting to be processed; retry shortly`, QUEUE_FULL_RETRY_AFTER_SECONDS));
    }
    return this.pool.run(task);
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
    this.pool = undefined;
  }
}
