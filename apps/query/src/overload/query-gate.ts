import { serviceUnavailable } from '@runstream/http';
import { KeyedCounts } from '@runstream/runtime';
import { LRUCache } from 'lru-cache';
import { QueryGateConfig } from '../config/query.config';

/** Seconds a client should wait after the gate turned it away: a slot frees as soon as one request ends. */
export const GATE_RETRY_AFTER_SECONDS = 1;

interface Waiter {
  owner: string;
  start: () => void;
  /** Turns the waiter away: it gave its place in a full queue to another organisation. */
  displace: () => void;
}

/**
 * Bounds the ClickHouse work of the query app: at most `maxConcurrent` requests run, at most
 * `maxQueued` wait (each at most `maxQueueWaitMs`); anything beyond is turned away at once with
 * 503 + Retry-After instead of queueing without bound (a burst of heavy requests would otherwise
 * pile up in memory and time out one after another).
 *
 * Shared fairly between organisations (each request's owner), without leaving slots idle: a lone
 * organisation may use the whole gate, but a freed slot goes to the waiter whose organisation has
 * the fewest requests running, among equals the organisation that started one longest ago (in
 * turn), then the longest waiting; and when the queue is full, an organisation holding at least two
 * places more of it than the newcomer's gives up its newest one (503, as when busy). One tenant's
 * burst of slow requests therefore delays another's by at most one request's time, and never fills
 * the queue against it. Written here rather than with p-limit, whose single FIFO queue knows
 * nothing of owners.
 */
export class QueryGate {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private readonly runningBy = new KeyedCounts();
  private readonly waitingBy = new KeyedCounts();
  /** When each organisation last started a request (a sequence number), for turns among equals; bounded. */
  private readonly lastStarted = new LRUCache<string, number>({ max: 10_000 });
  private starts = 0;

  constructor(private readonly config: QueryGateConfig) {}

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(owner: string, work: () => Promise<T>): Promise<T> {
    this.makeRoomFor(owner);
    await this.slotFor(owner);
    try {
      return await work();
    } finally {
      this.running -= 1;
      this.runningBy.remove(owner);
      this.startWaiters();
    }
  }

  /** 503 when the gate is full, unless another organisation holds at least two more places of the queue and gives one up. */
  private makeRoomFor(owner: string): void {
    const { maxConcurrent, maxQueued } = this.config;
    if (this.running + this.waiting.length < maxConcurrent + maxQueued) return;
    const heaviest = this.heaviestWaiter();
    if (heaviest !== undefined && this.waitingBy.of(heaviest.owner) > this.waitingBy.of(owner) + 1) {
      this.remove(heaviest);
      heaviest.displace();
      return;
    }
    throw serviceUnavailable(`the read API is busy (${maxConcurrent} requests running, ${maxQueued} waiting); retry shortly`, GATE_RETRY_AFTER_SECONDS);
  }

  /** Resolves once the request holds a running slot; 503 after maxQueueWaitMs without one. */
  private slotFor(owner: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        owner,
        start: () => {
          clearTimeout(timer);
          this.running += 1;
          this.runningBy.add(owner);
          this.lastStarted.set(owner, ++this.starts);
          resolve();
        },
        displace: () => {
          clearTimeout(timer);
          reject(
            serviceUnavailable(
              'the read API is busy and this organisation holds most of its queue: its newest request gave its place to another; retry shortly',
              GATE_RETRY_AFTER_SECONDS,
            ),
          );
        },
      };
      const timer = setTimeout(() => {
        this.remove(waiter);
        reject(serviceUnavailable(`the read API is busy: no slot within ${this.config.maxQueueWaitMs} ms; retry shortly`, GATE_RETRY_AFTER_SECONDS));
      }, this.config.maxQueueWaitMs);
      this.waiting.push(waiter);
      this.waitingBy.add(owner);
      this.startWaiters();
    });
  }

  /** Fills free slots: each with the longest waiter of the organisation running the fewest requests, whose turn came longest ago among equals. */
  private startWaiters(): void {
    while (this.running < this.config.maxConcurrent && this.waiting.length > 0) {
      let next = this.waiting[0];
      for (const waiter of this.waiting) if (this.before(waiter.owner, next.owner)) next = waiter;
      this.remove(next);
      next.start();
    }
  }

  /** Whether `owner` goes before `other`: fewer requests running, else an older last start (never: first). */
  private before(owner: string, other: string): boolean {
    const [running, otherRunning] = [this.runningBy.of(owner), this.runningBy.of(other)];
    if (running !== otherRunning) return running < otherRunning;
    return (this.lastStarted.get(owner) ?? 0) < (this.lastStarted.get(other) ?? 0);
  }

  /** The newest waiter of the organisation with the most requests waiting. */
  private heaviestWaiter(): Waiter | undefined {
    let heaviest: Waiter | undefined;
    for (const waiter of this.waiting) if (heaviest === undefined || this.waitingBy.of(waiter.owner) >= this.waitingBy.of(heaviest.owner)) heaviest = waiter;
    return heaviest;
  }

  private remove(waiter: Waiter): void {
    this.waiting.splice(this.waiting.indexOf(waiter), 1);
    this.waitingBy.remove(waiter.owner);
  }
}
