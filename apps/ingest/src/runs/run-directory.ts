import { Inject, Injectable } from '@nestjs/common';
import { ClickHouseStore, findRun, findRunLocation, RunRow } from '@runstream/clickhouse';
import { isTerminal, RunStatus, toCanonicalStatus } from '@runstream/events';
import { KeyedCounts, pollUntil } from '@runstream/runtime';
import { LRUCache } from 'lru-cache';
import { INGEST_CONFIG, IngestConfig } from '../config/ingest.config';

export interface KnownRun {
  org_id: string;
  project_id: string;
  status: RunStatus;
  target_gateway: string;
  claimed_by: string;
}

const MAX_CACHED_RUNS = 100_000;
/**
 * Misses polled at once per organisation; past it a miss is looked up once. Writes to made-up
 * run ids would otherwise each poll the read model a dozen times over the wait.
 */
export const MAX_POLLED_MISSES_PER_ORG = 32;
/** A miss is looked up again after 50, 100, 200, 200… ms until INGEST_RUN_LOOKUP_WAIT_MS. */
const LOOKUP_POLL = { firstDelayMs: 50, maxDelayMs: 200 };

/**
 * Where ingest learns a run's org, project and status for a write that names only its id.
 * Runs this instance wrote are cached (a runner's PATCH right after its POST never waits);
 * others come from the `runs` read model, polled briefly on a miss because a run created
 * through another instance may not be materialized yet. The materializer's fold remains
 * the authority on order; this is the freshest view ingest has.
 */
@Injectable()
export class RunDirectory {
  private readonly cache = new LRUCache<string, KnownRun>({ max: MAX_CACHED_RUNS });
  /** Misses being polled, by organisation and run: concurrent writes to one run share one poll. */
  private readonly polling = new Map<string, Promise<KnownRun | undefined>>();
  private readonly pollsByOrg = new KeyedCounts();

  constructor(
    private readonly store: ClickHouseStore,
    @Inject(INGEST_CONFIG) private readonly config: IngestConfig,
  ) {}

  remember(runId: string, run: KnownRun): void {
    this.cache.set(runId, run);
  }

  /** The read model's current view, bypassing the cache (claims are decided there). */
  async fresh(orgId: string, runId: string): Promise<(KnownRun & { claim_id: string }) | undefined> {
    const row = await findRunLocation(this.store, orgId, runId);
    const status = row && toCanonicalStatus(row.status);
    return row && status ? { ...row, status } : undefined;
  }

  /** The whole row as the read model has it now, without waiting for a run not materialized yet. */
  existing(orgId: string, runId: string): Promise<RunRow | undefined> {
    return findRun(this.store, orgId, runId);
  }

  async find(orgId: string, runId: string): Promise<KnownRun | undefined> {
    const cached = this.cache.get(runId);
    if (cached) return cached.org_id === orgId ? cached : undefined;
    const key = `${orgId}\u0000${runId}`;
    const shared = this.polling.get(key);
    if (shared) return shared;
    if (this.pollsByOrg.of(orgId) >= MAX_POLLED_MISSES_PER_ORG) return this.remembered(runId, await this.lookup(orgId, runId));
    this.pollsByOrg.add(orgId);
    const poll = pollUntil(() => this.lookup(orgId, runId), { ...LOOKUP_POLL, timeoutMs: this.config.runLookupWaitMs }).finally(() => {
      this.polling.delete(key);
      this.pollsByOrg.remove(orgId);
    });
    this.polling.set(key, poll);
    return this.remembered(runId, await poll);
  }

  private remembered(runId: string, found: KnownRun | undefined): KnownRun | undefined {
    if (found) this.remember(runId, found);
    return found;
  }

  /**
   * For a status change: the run as find() knows it, but a run this instance last saw unfinished
   * is read afresh, because another writer (the control plane's lease or stranded-run sweeper,
   * another ingest instance) may have ended it since; its new status must be refused here (409),
   * not accepted and then dead-lettered by the fold. One read per status change, a few per run.
   */
  async forStatusChange(orgId: string, runId: string): Promise<KnownRun | undefined> {
    const cached = this.cache.get(runId);
    if (!cached) return this.find(orgId, runId);
    if (cached.org_id !== orgId) return undefined;
    if (isTerminal(cached.status)) return cached;
    // ClickHouse away: the cached view stands, as before (writes go on into Kafka; the fold still refuses an illegal change).
    const stored = await this.lookup(orgId, runId).catch(() => undefined);
    if (!stored || !isTerminal(stored.status)) return cached;
    this.remember(runId, stored);
    return stored;
  }

  private async lookup(orgId: string, runId: string): Promise<KnownRun | undefined> {
    const row = await this.fresh(orgId, runId);
    return row && { org_id: row.org_id, project_id: row.project_id, status: row.status, target_gateway: row.target_gateway, claimed_by: row.claimed_by };
  }
}
