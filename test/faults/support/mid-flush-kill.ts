import { setTimeout as sleep } from 'node:timers/promises';
import { FlushWatch, Scrape } from './flush-watch';
import { StackProcess } from './stack-process';

export interface Kill {
  exit: string;
  /** How long after its flush was due the kill came (undefined: no flush seen coming, killed anyway). */
  killedAfterDueMs?: number;
  /** The newest scrape answered from before the kill. */
  last?: Scrape;
  /** Messages the group committed from this start of the process to its death, as Kafka records them. */
  committed: number;
  /**
   * The buffer seen forming was read from Kafka and never committed: Kafka's commits stop at the
   * last scrape's count. Killed `killedAfterDueMs` after that buffer's flush timer was due, the
   * process died writing it.
   */
  uncommitted: boolean;
  /** The writers' acknowledged writes at the kill, and whether they had all finished. */
  acked: number;
  finished: boolean;
}

export interface MidFlushKillOptions {
  /** The group's committed offsets on the events topic, summed (Kafka's admin API). */
  committed: () => Promise<number>;
  progress: () => { acked: number; finished: boolean };
  /** The stack's MATERIALIZER_FLUSH_INTERVAL_MS. */
  flushIntervalMs: number;
  /** How long after its flush is due to kill: short, so the flush is still being written. */
  killAfterDueMs: number;
  /** Kills at most, each followed by a restart, until one is proved to land on uncommitted events. */
  tries: number;
  /** How long to watch for a buffer forming before killing anyway. */
  watchMs: number;
}

/**
 * SIGKILLs the stack process just after its materializer starts a flush, and restarts it on the
 * same data. A scrape's answer comes too late to act on (it waits for a Kafka lag read), so the
 * kill is timed instead: a flush starts one flush interval after the previous one did, which the
 * materializer's metrics report. Whether the events were still uncommitted is then proved from
 * Kafka's record of the group's commits; a kill that cannot be proved so is followed by another,
 * up to `tries`. Every kill is returned.
 */
export async function killUntilMidFlush(stack: StackProcess, options: MidFlushKillOptions): Promise<Kill[]> {
  const kills: Kill[] = [];
  // The group is new: nothing committed before the first start.
  let base = 0;
  for (;;) {
    const watch = new FlushWatch(stack.metricsUrl, options.flushIntervalMs);
    const due = await watch.nextFlush(options.watchMs);
    if (due) await sleep(Math.max(0, due.dueBy + options.killAfterDueMs - Date.now()));
    const killedAt = Date.now();
    const exit = await stack.signal('SIGKILL');
    const progress = options.progress();
    await watch.close();
    const last = watch.latestBefore(killedAt);
    const committed = (await options.committed()) - base;
    base += committed;
    const uncommitted = due !== undefined && last !== undefined && last.sentAt >= due.bufferSeen.sentAt && committed === last.messages;
    kills.push({ exit, killedAfterDueMs: due && killedAt - due.dueBy, last, committed, uncommitted, ...progress });
    await stack.start();
    if (uncommitted || kills.length >= options.tries) return kills;
  }
}
