import { Injectable } from '@nestjs/common';
import { ClickHouseStore, DailyRunStatsRow, ModelStatsRow, selectDailyRunStats, selectModelStats } from '@runstream/clickhouse';

/** The checks' door to the rollups: the same exact-percentile queries daily-stats and model stats use. */
@Injectable()
export class ChecksRepository {
  constructor(private readonly store: ClickHouseStore) {}

  daily(filter: { org_id: string; project_id: string; from: string; to: string; cronjob_name?: string }): Promise<DailyRunStatsRow[]> {
    return selectDailyRunStats(this.store, filter);
  }

  modelStats(filter: { org_id: string; project_id: string; from: string; to: string }): Promise<ModelStatsRow[]> {
    return selectModelStats(this.store, filter);
  }
}
