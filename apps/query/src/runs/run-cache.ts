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

interface Loading {
  sequence: number;
  row: Promise<RunRow | undefined>;
}

/**
 * Single runs by (organisation, id), kept until a write to that run starts. With embedded chDB
 * every statement runs one at a time (chdb serialises parameterised queries process-wide), so a
 * dashboard polling a few runs queued behind itself; a hit costs no engine call.
 *
 * Never staler than the table: a row is dropped when the materializer starts writing that run,
 * and a row read while any write to `runs` started or settled is not kept (`RunWrites.sequence`),
 * so every answer is one a read of the table could have given at some instant of the request.
 * Missing runs are not cached. Concurrent misses of one run share one read if no write came
 * between them.
 */
export class RunCache {
  private readonly rows: LRUCache<string, RunRow>;
  private readonly loading = new Map<string, Loading>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly writes: RunWrites,
    maxBytes = RUN_CACHE_MAX_BYTES,
  ) {
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
    const sequence = this.writes.sequence;
    const pending = this.loading.get(key);
    if (pending && pending.sequence === sequence) return pending.row;
    const row = read().then((found) => {
      // Kept only if no write to runs started or settled while it was read.
      if (found && this.writes.sequence === sequence) this.rows.set(key, Object.freeze(found));
      return found;
    });
    const entry = { sequence, row };
    this.loading.set(key, entry);
    try {
      return await row;
    } finally {
      if (this.loading.get(key) === entry) this.loading.delete(key);
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
