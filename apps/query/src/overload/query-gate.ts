import { serviceUnavailable } from '@runstream/http';
import pLimit from 'p-limit';
import { QueryGateConfig } from '../config/query.config';

/** Seconds a client should wait after the gate turned it away: a slot frees as soon as one request ends. */
export const GATE_RETRY_AFTER_SECONDS = 1;

/**
 * Bounds the ClickHouse work of the query app: at most `maxConcurrent` requests run, at most
 * `maxQueued` wait (each at most `maxQueueWaitMs`); anything beyond is turned away at once with
 * 503 + Retry-After instead of queueing without bound (chDB serialises statements, so a burst
 * of heavy requests would otherwise pile up in memory and time out one after another).
 * p-limit 3 keeps the queue; a waiter whose time ran out is skipped when its turn comes.
 */
export class QueryGate {
  private readonly limit: pLimit.Limit;

  constructor(private readonly config: QueryGateConfig) {
    this.limit = pLimit(config.maxConcurrent);
  }

  get active(): number {
    return this.limit.activeCount;
  }

  get queued(): number {
    return this.limit.pendingCount;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    // p-limit starts queued work a microtask late, so only the sum of running and waiting is exact.
    if (this.limit.activeCount + this.limit.pendingCount >= this.config.maxConcurrent + this.config.maxQueued) {
      throw serviceUnavailable(
        `the read API is busy (${this.config.maxConcurrent} requests running, ${this.config.maxQueued} waiting); retry shortly`,
        GATE_RETRY_AFTER_SECONDS,
      );
    }
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const waited = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(serviceUnavailable(`the read API is busy: no slot within ${this.config.maxQueueWaitMs} ms; retry shortly`, GATE_RETRY_AFTER_SECONDS));
      }, this.config.maxQueueWaitMs);
    });
    const slot = this.limit(() => {
      clearTimeout(timer);
      return timedOut ? Promise.resolve(undefined as T) : work();
    });
    try {
      return await Promise.race([slot, waited]);
    } finally {
      clearTimeout(timer);
    }
  }
}
