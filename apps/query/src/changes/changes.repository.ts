import { Injectable } from '@nestjs/common';
import {
  ClickHouseStore,
  ExecutionChangeRow,
  LogSlice,
  RunRow,
  selectEventIdsAt,
  selectExecutionChanges,
  selectFeedWatermarks,
  selectRunChanges,
} from '@runstream/clickhouse';

/** The change feed's door to the read models; the SQL lives in @runstream/clickhouse. */
@Injectable()
export class ChangesRepository {
  constructor(private readonly store: ClickHouseStore) {}

  watermarks(): Promise<Map<number, bigint>> {
    return selectFeedWatermarks(this.store);
  }

  runs(slice: LogSlice): Promise<RunRow[]> {
    return selectRunChanges(this.store, slice);
  }

  executions(slice: LogSlice): Promise<ExecutionChangeRow[]> {
    return selectExecutionChanges(this.store, slice);
  }

  eventIds(orgId: string, positions: { partition: number; offset: bigint }[]): Promise<Map<string, string>> {
    return selectEventIdsAt(this.store, orgId, positions);
  }
}
