import type { RunLocation } from '@runstream/clickhouse';
import { RunEventEnvelope, SCHEMA_VERSION, truncateText, uuidv7 } from '@runstream/events';
import { ANNOTATION } from './cronjob-manifest';
import { liveJobStatus } from './job-status';
import type { V1Job } from './kubernetes.client';

const MAX_REASON_CHARS = 1_000;

/** A triggered Job that failed, with the run it was created for. */
export interface FailedTriggeredJob {
  orgId: string;
  runId: string;
  /** `<namespace>/<name>`. */
  name: string;
  reason: string;
}

/** Why Kubernetes says the Job failed: its Failed condition's reason and message. */
function failureReason(job: V1Job): string {
  const condition = (job.status?.conditions ?? []).find((c) => (c.type === 'Failed' || c.type === 'FailureTarget') && c.status === 'True');
  const said = [condition?.reason, condition?.message].filter((part) => part).join(': ');
  return said || `${job.status?.failed ?? 0} pod(s) failed`;
}

/** The failed Jobs that were started for a run (triggered ones; scheduled Jobs create their run in the pod). */
export function failedTriggeredJobs(jobs: V1Job[]): FailedTriggeredJob[] {
  return jobs.flatMap((job) => {
    const annotations = job.metadata?.annotations ?? {};
    const runId = annotations[ANNOTATION.runId];
    const orgId = annotations[ANNOTATION.org];
    if (!runId || !orgId || liveJobStatus(job) !== 'failed') return [];
    return [{ orgId, runId, name: `${job.metadata?.namespace}/${job.metadata?.name}`, reason: failureReason(job) }];
  });
}

/** Only a run nobody claimed is ended here: a claimed one is its pod's to report, or the lease sweeper's. */
export function endsUnclaimed(run: Pick<RunLocation, 'status' | 'claimed_by'> | undefined): boolean {
  return run !== undefined && run.status === 'pending' && run.claimed_by === '';
}

/** Ends a run whose Job failed before a pod claimed it (an image that cannot start, a missing Secret, a pod killed early). */
export function unclaimedRunFailedEvent(run: RunLocation, job: FailedTriggeredJob, now: Date, actor: string): RunEventEnvelope<'run.patched'> {
  const summary = truncateText(`Kubernetes Job ${job.name} failed before its pod claimed the run: ${job.reason}`, MAX_REASON_CHARS);
  const at = now.toISOString();
  return {
    event_id: uuidv7(now.getTime()),
    type: 'run.patched',
    schema_version: SCHEMA_VERSION,
    org_id: run.org_id,
    project_id: run.project_id,
    run_id: job.runId,
    occurred_at: at,
    actor,
    payload: { status: 'error', error_summary: summary, append_log: { at, level: 'error', message: summary } },
  };
}
