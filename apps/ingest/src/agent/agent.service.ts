import { Injectable } from '@nestjs/common';
import { ClickHouseStore, fromChDateTime, listClaimableRuns, RunRow } from '@runstream/clickhouse';
import { Caller } from '@runstream/http';

export interface ClaimableRun {
  id: string;
  projectId: string;
  jobId: string;
  jobName: string;
  cronjobName: string;
  namespace: string;
  jobType: string;
  triggeredBy: string;
  createdAt: string;
  /** The argv to run, for runs the control plane started from a job; empty for others. */
  command: string[];
}

function toClaimable(row: RunRow): ClaimableRun {
  return {
    id: row.id,
    projectId: row.project_id,
    jobId: row.job_id,
    jobName: row.job_name,
    cronjobName: row.cronjob_name,
    namespace: row.namespace,
    jobType: row.job_type,
    triggeredBy: row.triggered_by,
    createdAt: fromChDateTime(row.created_at),
    command: row.command_argv ?? [],
  };
}

@Injectable()
export class AgentService {
  constructor(private readonly store: ClickHouseStore) {}

  async claimable(caller: Caller, limit: number): Promise<{ runs: ClaimableRun[] }> {
    const rows = await listClaimableRuns(this.store, caller.orgId, caller.gateway, limit);
    return { runs: rows.map(toClaimable) };
  }
}
