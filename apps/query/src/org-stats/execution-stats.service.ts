import { Injectable } from '@nestjs/common';
import { ClickHouseStore, selectOrgRunGroups, selectRecentFailures, toChDateTime } from '@runstream/clickhouse';
import { Caller, invalidFields } from '@runstream/http';
import { ExecutionStatsQueryDto } from './execution-stats.query.dto';
import { buildExecutionStats, ExecutionStatsData, statsWindowProblems } from './execution-stats';

const RECENT_FAILURES = 10;

export interface ExecutionStatsResponse {
  code: number;
  data: ExecutionStatsData;
  message: string;
  requestId: string;
}

@Injectable()
export class ExecutionStatsService {
  constructor(private readonly store: ClickHouseStore) {}

  async stats(query: ExecutionStatsQueryDto, caller: Caller, requestId: string): Promise<ExecutionStatsResponse> {
    // Checked arithmetically before anything is built or queried.
    const problems = statsWindowProblems(query.from, query.to, query.granularity);
    if (problems.length > 0) throw invalidFields(problems);
    const from = toChDateTime(query.from);
    const to = toChDateTime(query.to);
    const [groups, failures] = await Promise.all([
      selectOrgRunGroups(this.store, caller.orgId, from, to, query.granularity),
      selectRecentFailures(this.store, caller.orgId, from, to, RECENT_FAILURES),
    ]);
    return { code: 200, data: buildExecutionStats(groups, failures, query.from, query.to, query.granularity), message: 'success', requestId };
  }
}
