import { Injectable } from '@nestjs/common';
import {
  ClickHouseStore,
  countRuns,
  DailyRunStatsRow,
  findRun,
  listRuns,
  Page,
  RunFilter,
  RunLogEntryRow,
  RunRow,
  runStats,
  RunStatsRow,
  RunTelemetrySampleRow,
  selectDailyRunStats,
  selectRunLog,
  selectRunSamples,
} from '@runstream/clickhouse';

/** The query app's door to the runs read model; the SQL lives in @runstream/clickhouse. */
@Injectable()
export class RunRepository {
  constructor(private readonly store: ClickHouseStore) {}

  list(filter: RunFilter, page: Page): Promise<RunRow[]> {
    return listRuns(this.store, filter, page);
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
    return findRun(this.store, orgId, runId);
  }

  log(run: RunRow): Promise<RunLogEntryRow[]> {
    return selectRunLog(this.store, run.org_id, run.id, run.log_generation);
  }

  samples(run: RunRow): Promise<RunTelemetrySampleRow[]> {
    return selectRunSamples(this.store, run.org_id, run.id, run.sample_generation);
  }
}
