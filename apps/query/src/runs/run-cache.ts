import { RunRow, RunWrites, WrittenRun } from '@runstream/clickhouse';
import { LRUCache } from 'lru-cache';

/** Bytes a cached row is counted as: its free-text columns plus a fixed allowance for the rest. */
const ROW_OVERHEAD_BYTES = 600;
export const RUN_CACHE_MAX_BYTES = 32 * 1024 * 1024;

function rowSize(row: RunRow): number {
  const argv = row.command_argv?.reduce((sum, arg) => sum + arg.length + 8, 0) ?? 0;
  return ROW_OVERHEAD_BYTES + row.telemetry_summary.length + row.error_summary.length + row.job_name.length + row.cronjob_name.length + argv;
}

const keyOf = (database: string, orgId: string, runId: string) => `${database}\u0000${orgId}\u0000${runId}`;

/**
 * Single runs by (organisation, id), kept until a write to that run starts. With embedded chDB
 * every statement runs one at a time (chdb serialises parameterised queries process-wide), so a
 * dashboard polling a few runs queued behind itself; a hit costs no engine call.
 *
 * Never staler than the table: a row is dropped when the materializer starts writing that run,
 * and a row read while a write of that run started or settled is served but not kept, so every
 * answer is one a read of the table could have given at some instant of the request. Missing
 * runs are not cached. Concurrent misses of one run share one read unless a write of it came
 * between them.
 */
export class RunCache {
  private readonly rows: LRUCache<string, RunRow>;
  /** Reads in flight; a write of the run removes its entry, which is how a read knows not to keep its row. */
  private readonly loading = new Map<string, Promise<RunRow | undefined>>();
  private readonly unsubscribe: () => void;

  constructor(writes: RunWrites, maxBytes = RUN_CACHE_MAX_BYTES) {
    this.rows = new LRUCache<string, RunRow>({ maxSize: maxBytes, sizeCalculation: rowSize });
    this.unsubscribe = writes.subscribe((database, runs) => this.forget(database, runs));
  }

  close(): void {
    this.unsubscribe();
    this.rows.clear();
  }

  get size(): number {
    return this.rows.size;
  }

  async get(database: string, orgId: string, runId: string, read: () => Promise<RunRow | undefined>): Promise<RunRow | undefined> {
    const key = keyOf(database, orgId, runId);
    const cached = this.rows.get(key);
    if (cached) return cached;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const loading: Promise<RunRow | undefined> = read().then((found) => {
      if (found && this.loading.get(key) === loading) this.rows.set(key, Object.freeze(found));
      return found;
    });
    this.loading.set(key, loading);
    try {
      return await loading;
    } finally {
      if (this.loading.get(key) === loading) this.loading.delete(key);
    }
  }

  private forget(database: string, runs: readonly WrittenRun[]): void {
    for (const run of runs) {
      const key = keyOf(database, run.org_id, run.id);
      this.rows.delete(key);
      this.loading.delete(key);
    }
  }
}
