import { Injectable } from '@nestjs/common';
import {
  ClickHouseStore,
  countModelExecutions,
  ExecutionFilter,
  listModelExecutions,
  ModelExecutionRow,
  ModelStatsRow,
  Page,
  selectModelStats,
} from '@runstream/clickhouse';

/** The query app's door to model_executions; the SQL lives in @runstream/clickhouse. */
@Injectable()
export class ExecutionRepository {
  constructor(private readonly store: ClickHouseStore) {}

  list(filter: ExecutionFilter, page: Page, total?: number): Promise<ModelExecutionRow[]> {
    return listModelExecutions(this.store, filter, page, total);
  }

  count(filter: ExecutionFilter): Promise<number> {
    return countModelExecutions(this.store, filter);
  }

  stats(filter: { org_id: string; project_id: string; model_name?: string; from?: string; to?: string }): Promise<ModelStatsRow[]> {
    return selectModelStats(this.store, filter);
  }
}
