import { Injectable, Logger } from '@nestjs/common';
import { ClickHouseStore, listClaimableRuns, RunRow, selectJobEnvironments, EltRunFields, toEltRunFields } from '@runstream/clickhouse';
import { Caller } from '@runstream/http';
import { KnownRun } from '../runs/run-directory';

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

/** The stored JSON object text, string values only; anything else is no environment. */
function parseEnvironment(text: string): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(text || '{}');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return {};
  }
}

@Injectable()
export class AgentService {
  private readonly logger = new Logger('AgentService');

  constructor(private readonly store: ClickHouseStore) {}

  async claimable(caller: Caller, limit: number): Promise<{ runs: ClaimableRun[] }> {
    const rows = await listClaimableRuns(this.store, caller.orgId, caller.gateway, limit);
    const environments = await this.environments(
      caller.orgId,
      rows.filter(startedByControlPlane).map((row) => row.job_id),
    );
    return { runs: rows.map((row) => toClaimable(row, startedByControlPlane(row) ? (environments.get(row.job_id) ?? {}) : undefined)) };
  }

  /** One query for the whole list; deleted jobs are absent and give `{}`. */
  private async environments(orgId: string, jobIds: string[]): Promise<Map<string, Record<string, string>>> {
    const rows = await selectJobEnvironments(this.store, orgId, jobIds);
    const environments = new Map<string, Record<string, string>>();
    for (const row of rows) {
      const environment = parseEnvironment(row.environment);
      if (row.environment !== '' && row.environment !== '{}' && Object.keys(environment).length === 0) {
        this.logger.warn(`job ${row.id}: stored environment is not a string-to-string object; listing its runs with none`);
      }
      environments.set(row.id, environment);
    }
    return environments;
  }
}
