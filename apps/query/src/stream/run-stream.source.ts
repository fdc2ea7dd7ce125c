import { Injectable } from '@nestjs/common';
import {
  ClickHouseStore,
  findRun,
  RunLogEntryRow,
  RunRow,
  RunTelemetrySampleRow,
  selectRunLogRange,
  selectRunSampleRange,
  SeqRange,
} from '@runstream/clickhouse';

/** What a live stream reads from the read model; the SQL lives in @runstream/clickhouse. */
@Injectable()
export class RunStreamSource {
  constructor(private readonly store: ClickHouseStore) {}

  run(orgId: string, runId: string): Promise<RunRow | undefined> {
    return findRun(this.store, orgId, runId);
  }

  logs(range: SeqRange): Promise<RunLogEntryRow[]> {
    return selectRunLogRange(this.store, range);
  }

  samples(range: SeqRange): Promise<RunTelemetrySampleRow[]> {
    return selectRunSampleRange(this.store, range);
  }
}
