import { Injectable, Logger } from '@nestjs/common';
import { ClickHouseStore, listClaimableRuns, RunRow, selectJobEnvironments, EltRunFields, stringMapOf, toEltRunFields } from '@runstream/clickhouse';
import { Caller } from '@runstream/http';
import { PatchRunDto } from '../runs/dto/patch-run.dto';
import { KnownRun } from '../runs/run-directory';
import { RunService } from '../runs/run.service';

/** The runs a gateway token may report on: those targeted at its gateway, or claimed by it. */
export function gatewayMayWrite(caller: Caller): (run: KnownRun) => boolean {
  return (run) => run.claimed_by === caller.gateway || run.target_gateway === caller.gateway;
}

/** A run as GET /api/agent/runs lists it. */
export interface ClaimableRun extends EltRunFields {
  /** The argv to run, for runs the control plane started from a job; empty for others. */
  command: string[];
  /** The job's current environment (string to string), for runs the control plane started; `{}` otherwise. */
  environment: Record<string, string>;
}

/** `environment` undefined: the run is not the agent's to execute from the listing (no argv, no environment). */
function toClaimable(row: RunRow, environment: Record<string, string> | undefined): ClaimableRun {
  return {
    ...toEltRunFields(row),
    command: environment ? (row.command_argv ?? []) : [],
    environment: environment ?? {},
  };
}

/**
 * Only runs the control plane started for an agent carry what to execute: their argv (the write
 * API cannot set one) and the job's environment, so a runner that names a job in its own run
 * does not learn that job's secrets through an agent. Runs it placed on Kubernetes (they have a
 * namespace) execute from their Job's spec: their pods never need the listing, and a job's
 * program, which can read its pod's gateway token, must not list other jobs' secrets with it.
 */
function startedByControlPlane(row: RunRow): boolean {
  return row.job_id !== '' && (row.command_argv ?? []).length > 0 && row.namespace === '';
}

@Injectable()
export class AgentService {
  private readonly logger = new Logger('AgentService');

  constructor(
    private readonly store: ClickHouseStore,
    private readonly runs: RunService,
  ) {}

  async claimable(caller: Caller, limit: number): Promise<{ runs: ClaimableRun[] }> {
    const rows = await listClaimableRuns(this.store, caller.orgId, caller.gateway, limit);
    const jobs = await this.jobs(
      caller.orgId,
      rows.filter(startedByControlPlane).map((row) => row.job_id),
    );
    const orphaned = rows.filter((row) => startedByControlPlane(row) && jobs.get(row.job_id)?.deleted);
    await Promise.all(orphaned.map((row) => this.cancelOrphan(row, caller)));
    const listed = rows.filter((row) => !orphaned.includes(row));
    return { runs: listed.map((row) => toClaimable(row, startedByControlPlane(row) ? (jobs.get(row.job_id)?.environment ?? {}) : undefined)) };
  }

  /**
   * A pending run the control plane started for a job deleted since (or deleted while it was
   * being triggered): executing it would run a deleted job, without its environment. The agent's
   * poll is where it would start, so there it ends, `cancelled`, instead of being listed.
   */
  private async cancelOrphan(row: RunRow, caller: Caller): Promise<void> {
    const cancel = Object.assign(new PatchRunDto(), { status: 'cancelled', errorSummary: `job ${row.job_id} was deleted before this run started` });
    await this.runs.patch(row.id, cancel, caller, gatewayMayWrite(caller)).catch((error: Error) => {
      // A run that has just been claimed or ended is no longer pending: nothing to cancel.
      this.logger.warn(`run ${row.id} of deleted job ${row.job_id}: not cancelled (${error.message})`);
    });
  }

  /** One query for the whole list; unknown jobs are absent. */
  private async jobs(orgId: string, jobIds: string[]): Promise<Map<string, { environment: Record<string, string>; deleted: boolean }>> {
    const rows = await selectJobEnvironments(this.store, orgId, jobIds);
    const jobs = new Map<string, { environment: Record<string, string>; deleted: boolean }>();
    for (const row of rows) {
      const environment = stringMapOf(row.environment);
      if (row.environment !== '' && row.environment !== '{}' && Object.keys(environment).length === 0) {
        this.logger.warn(`job ${row.id}: stored environment is not a string-to-string object; listing its runs with none`);
      }
      jobs.set(row.id, { environment, deleted: row.deleted === 1 });
    }
    return jobs;
  }
}
