import { Inject, Injectable } from '@nestjs/common';
import { JobRow } from '@runstream/clickhouse';
import { TriggeredBy } from '@runstream/events';
import { CONTROL_CONFIG, ControlConfig } from '../config/control.config';
import { runIdTag } from './run-names';

/** Where a run executes: the fields of its run.created that say so. */
export interface RunPlacement {
  target_gateway: string;
  namespace: string;
  cronjob_name: string;
  job_name: string;
}

/**
 * The backend that executes runs the control plane starts. The local backend only places them
 * (the agent polls its gateway); the Kubernetes backend also launches a Job once the run exists.
 */
export interface RunExecutor {
  /** `runJobName` is the reference's `<project>-<job>-<YYYYMMDD-HHMMSS>`; the placement's job_name is unique per run. */
  place(orgId: string, projectId: string, job: JobRow, runJobName: string, runId: string, triggeredBy: TriggeredBy): RunPlacement;
  /** Called after the broker acknowledged the run's creation; safe to call again for the same run. */
  launch(job: JobRow, runId: string, placement: RunPlacement, argv: string[]): Promise<void>;
  /**
   * Called after a job was created, changed or deleted, once the change is readable, before the
   * Jobs API answers: what schedules the jobs must follow it from then on. Never throws.
   */
  definitionsChanged(): Promise<void>;
}

export const RUN_EXECUTOR = Symbol('RUN_EXECUTOR');

/** Runs targeted at the local gateway, which the runner agent polls. */
@Injectable()
export class LocalRunExecutor implements RunExecutor {
  constructor(@Inject(CONTROL_CONFIG) private readonly config: ControlConfig) {}

  /**
   * A scheduled run keeps the reference's name (one run per job and tick); any other gets its run
   * id's tag, as the Kubernetes backend's triggered Jobs do: two triggers in one second stay two
   * executions in the Jobs API.
   */
  place(_orgId: string, _projectId: string, job: JobRow, runJobName: string, runId: string, triggeredBy: TriggeredBy): RunPlacement {
    const jobName = triggeredBy === 'scheduled' ? runJobName : `${runJobName}-${runIdTag(runId)}`;
    return { target_gateway: this.config.localGateway, namespace: '', cronjob_name: job.name, job_name: jobName };
  }

  async launch(): Promise<void> {
    // The agent finds the run by polling; nothing to push.
  }

  async definitionsChanged(): Promise<void> {
    // The scheduler re-reads the jobs before a due tick when its list is older than the change.
  }
}
