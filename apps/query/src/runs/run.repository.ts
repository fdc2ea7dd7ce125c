import { Injectable, OnModuleDestroy } from '@nestjs/common';
import {
  ClickHouseStore,
  countRuns,
  DailyRunStatsRow,
  findRun,
  listRuns,
  Page,
  RunDay,
  RunDayCount,
  RunFilter,
  RunLogEntryRow,
  RunRow,
  runStats,
  RunStatsRow,
  RunTelemetrySampleRow,
  runWrites,
  selectDailyRunStats,
  selectRunDayCounts,
  selectRunDays,
  selectRunLog,
  selectRunSamples,
} from '@runstream/clickhouse';
import { RunCache } from './run-cache';

/** The query app's door to the runs read model; the SQL lives in @runstream/clickhouse. */
@Injectable()
export class RunRepository implements OnModuleDestroy {
  /** Only with embedded chDB, where every write to runs is made in this process (run-cache.ts). */
  private readonly cache?: RunCache;

  constructor(private readonly store: ClickHouseStore) {
    if (store.embedded) this.cache = new RunCache(runWrites);
  }

  onModuleDestroy(): void {
    this.cache?.close();
  }

  list(filter: RunFilter, page: Page, createdFrom?: string): Promise<RunRow[]> {
    return listRuns(this.store, filter, page, createdFrom);
  }

  days(filter: RunFilter): Promise<RunDay[]> {
    return selectRunDays(this.store, filter);
  }

  dayCounts(filter: RunFilter): Promise<RunDayCount[]> {
    return selectRunDayCounts(this.store, filter);
  }

  count(filter: RunFilter): Promise<number> {
    return countRuns(this.store, filter);
  }

  stats(filter: RunFilter): Promise<RunStatsRow> {
    return runStats(this.store, filter);
  }

  daily(filter: { org_id: string; project_id: string; from: string; to: string; cronjob_name?: string }): Promise<DailyRunStatsRow[]> {
    return selectDailyRunStats(this.store, filter);
  }

  find(orgId: string, runId: string): Promise<RunRow | undefined> {
    const read = () => findRun(this.store, orgId, runId);
    return this.cache ? this.cache.get(this.store.database, orgId, runId, read) : read();
  }

  log(run: RunRow): Promise<RunLogEntryRow[]> {
    return selectRunLog(this.store, run);
  }

  samples(run: RunRow): Promise<RunTelemetrySampleRow[]> {
    return selectRunSamples(this.store, run);
  }
}
