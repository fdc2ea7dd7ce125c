import { Injectable } from '@nestjs/common';
import {
  ClickHouseStore,
  ExecutionChangeRow,
  LogSlice,
  planSliceRead,
  RunRow,
  selectEventIdsAt,
  selectExecutionChanges,
  selectFeedWatermarks,
  selectRunChanges,
  SliceRead,
} from '@runstream/clickhouse';

/** The change feed's door to the read models; the SQL lives in @runstream/clickhouse. */
@Injectable()
export class ChangesRepository {
  constructor(private readonly store: ClickHouseStore) {}

  watermarks(): Promise<Map<number, bigint>> {
    return selectFeedWatermarks(this.store);
  }

  plan(slice: LogSlice): Promise<SliceRead> {
    return planSliceRead(this.store, slice);
  }

  runs(slice: LogSlice, read: SliceRead): Promise<RunRow[]> {
    return selectRunChanges(this.store, slice, read);
  }

  executions(slice: LogSlice, read: SliceRead): Promise<ExecutionChangeRow[]> {
    return selectExecutionChanges(this.store, slice, read);
  }

  eventIds(orgId: string, positions: { partition: number; offset: bigint }[]): Promise<Map<string, string>> {
    return selectEventIdsAt(this.store, orgId, positions);
  }
}
