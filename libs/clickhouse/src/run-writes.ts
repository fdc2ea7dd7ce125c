/** A run as a cache of `runs` rows knows it: which database, which organisation, which id. */
export interface WrittenRun {
  org_id: string;
  id: string;
}

export type RunWriteListener = (database: string, runs: readonly WrittenRun[]) => void;

/**
 * Every write to `runs` made by this process, told to whoever caches rows of it. With embedded
 * chDB every writer is in this process (chDB binds its data directory to one process), so a
 * cache that listens here sees every change; against a ClickHouse server the writers are other
 * processes and nothing here can be trusted to invalidate (the query app does not cache then).
 */
export class RunWrites {
  private readonly listeners = new Set<RunWriteListener>();

  /** How many listeners (caches) are subscribed. */
  get listening(): number {
    return this.listeners.size;
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: RunWriteListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs `write` and tells the listeners before it starts and after it settles (failed too: a
   * failed insert may still have landed). Between the two, readers go to the table itself.
   */
  async around<T>(database: string, runs: readonly WrittenRun[], write: () => Promise<T>): Promise<T> {
    this.tell(database, runs);
    try {
      return await write();
    } finally {
      this.tell(database, runs);
    }
  }

  private tell(database: string, runs: readonly WrittenRun[]): void {
    for (const listener of this.listeners) listener(database, runs);
  }
}

/** The process's one record: the materializer's store and the query app's are different objects, the process is one. */
export const runWrites = new RunWrites();
