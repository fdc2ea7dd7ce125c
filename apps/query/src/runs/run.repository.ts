import { Injectable } from '@nestjs/common';
import { ClickHouseStore, countRuns, listRuns, Page, RunFilter, RunRow, runStats, RunStatsRow } from '@runstream/clickhouse';

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
}
