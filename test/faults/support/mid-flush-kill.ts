import { flushTaken, FlushState } from './flush-watch';
import { StackProcess } from './stack-process';

export interface Kill {
  exit: string;
  /** The scrape that showed a flush taken and not committed; undefined when none was seen (killed anyway). */
  taken?: FlushState;
  /** Messages the group committed from this start of the process to its death, as Kafka records them. */
  committed: number;
  /**
   * Nothing was committed after that scrape: the flush it saw taken was still being written (or
   * committed) when the process died, with its events read from Kafka and not committed.
   */
  midFlush: boolean;
  /** The writers' acknowledged writes at the kill, and whether they had all finished. */
  acked: number;
  finished: boolean;
}

export interface MidFlushKillOptions {
  /** The group's committed offsets on the events topic, summed (Kafka's admin API). */
  committed: () => Promise<number>;
  progress: () => { acked: number; finished: boolean };
  /** Kills at most, each followed by a restart, until one lands mid-flush. */
  tries: number;
  /** How long to watch for a flush before killing anyway. */
  watchMs: number;
}

/**
 * SIGKILLs the stack process the moment its materializer is seen with a flush in flight, and
 * restarts it on the same data. Whether the kill really landed inside the flush is told after
 * the fact, from Kafka: the group's commits during this start of the process must number exactly
 * the messages the scrape counted as committed, so the flush seen taken never committed. A kill
 * that came too late (the flush committed in between) is followed by another, up to `tries`.
 * Every kill is returned; the last one landed mid-flush unless all tries were used.
 */
export async function killUntilMidFlush(stack: StackProcess, options: MidFlushKillOptions): Promise<Kill[]> {
  const kills: Kill[] = [];
  // The group is new: nothing committed before the first start.
  let base = 0;
  for (;;) {
    const taken = await flushTaken(stack.metricsUrl, options.watchMs);
    const exit = await stack.signal('SIGKILL');
    const progress = options.progress();
    const committed = (await options.committed()) - base;
    base += committed;
    kills.push({ exit, taken, committed, midFlush: taken !== undefined && committed === taken.messages, ...progress });
    await stack.start();
    if (kills[kills.length - 1].midFlush || kills.length >= options.tries) return kills;
  }
}
