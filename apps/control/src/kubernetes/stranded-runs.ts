import type { RunLocation } from '@runstream/clickhouse';
import { RunEventEnvelope, SCHEMA_VERSION, truncateText, uuidv7 } from '@runstream/events';
import { ANNOTATION } from './cronjob-manifest';
import { liveJobStatus } from './job-status';
import type { V1Job, V1Pod } from './kubernetes.client';

const MAX_SUMMARY_CHARS = 1_000;
/**
 * A failed Job's run is read only this long after the failure: a pod that claimed the run
 * before dying must show as claimed in the read model by then, even with a lagging materializer
 * (its claim is then left to the lease sweeper, not mistaken for a run nobody claimed).
 */
export const FAILED_JOB_GRACE_MS = 120_000;
const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
/** Waiting reasons of a container that will not start without someone fixing the pod's spec, image or Secret. */
const STUCK_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError']);

/** A triggered run that no pod will ever claim, and why. */
export interface StrandedRun {
  orgId: string;
  runId: string;
  summary: string;
}

function triggeredRun(job: V1Job): { orgId: string; runId: string; name: string } | undefined {
  const annotations = job.metadata?.annotations ?? {};
  const runId = annotations[ANNOTATION.runId];
  const orgId = annotations[ANNOTATION.org];
  return runId && orgId ? { orgId, runId, name: `${job.metadata?.namespace}/${job.metadata?.name}` } : undefined;
}

/** Why and since when Kubernetes says the Job failed: its Failed condition (since: epoch 0 when it does not say). */
function failure(job: V1Job): { reason: string; since: number } {
  const condition = (job.status?.conditions ?? []).find((c) => (c.type === 'Failed' || c.type === 'FailureTarget') && c.status === 'True');
  const said = [condition?.reason, condition?.message].filter((part) => part).join(': ');
  const since = condition?.lastTransitionTime ? new Date(condition.lastTransitionTime).getTime() : 0;
  return { reason: said || `${job.status?.failed ?? 0} pod(s) failed`, since };
}

/** The reason a pod's container cannot start, when it is one that needs a fix (not a slow pull). */
function stuckReason(pod: V1Pod): string | undefined {
  if (pod.status?.phase !== 'Pending') return undefined;
  for (const container of pod.status?.containerStatuses ?? []) {
    const waiting = container.state?.waiting;
    if (waiting?.reason && STUCK_REASONS.has(waiting.reason)) return [waiting.reason, waiting.message].filter((part) => part).join(': ');
  }
  return undefined;
}

function minutes(ms: number): string {
  return `${Number((ms / 60_000).toFixed(1))} min`;
}

/**
 * Triggered runs whose Job will never have a pod claim them: the Job failed FAILED_JOB_GRACE_MS
 * ago or more (its pod failed or was evicted), or its pod has been unable to start for `stuckMs`
 * (an image that cannot be pulled, a missing Secret). Scheduled Jobs carry no run: their pods
 * create it.
 */
export function strandedRuns(jobs: V1Job[], pods: V1Pod[], now: Date, stuckMs: number): StrandedRun[] {
  const podsByJob = new Map<string, V1Pod[]>();
  for (const pod of pods) {
    const key = `${pod.metadata?.namespace}/${pod.metadata?.labels?.[JOB_NAME_LABEL]}`;
    podsByJob.set(key, [...(podsByJob.get(key) ?? []), pod]);
  }
  return jobs
    .flatMap((job): StrandedRun[] => {
      const run = triggeredRun(job);
      if (!run) return [];
      const status = liveJobStatus(job);
      if (status === 'failed') {
        const { reason, since } = failure(job);
        return now.getTime() - since < FAILED_JOB_GRACE_MS
          ? []
          : [{ ...run, summary: `Kubernetes Job ${run.name} failed before its pod claimed the run: ${reason}` }];
      }
      if (status === 'success') return [];
      for (const pod of podsByJob.get(run.name) ?? []) {
        const reason = stuckReason(pod);
        const since = pod.metadata?.creationTimestamp ? new Date(pod.metadata.creationTimestamp).getTime() : now.getTime();
        if (reason && now.getTime() - since >= stuckMs) {
          return [
            { ...run, summary: `pod ${pod.metadata?.name} of Kubernetes Job ${run.name} could not start for ${minutes(now.getTime() - since)}: ${reason}` },
          ];
        }
      }
      return [];
    })
    .map(({ orgId, runId, summary }) => ({ orgId, runId, summary: truncateText(summary, MAX_SUMMARY_CHARS) }));
}

/** Only a run nobody claimed is ended here: a claimed one is its pod's to report, or the lease sweeper's. */
export function isPendingUnclaimed(run: Pick<RunLocation, 'status' | 'claimed_by'> | undefined): boolean {
  return run !== undefined && run.status === 'pending' && run.claimed_by === '';
}

/** Ends a stranded run `error`, its reason as error summary and last log line. */
export function strandedRunEvent(run: RunLocation, stranded: StrandedRun, now: Date, actor: string): RunEventEnvelope<'run.patched'> {
  const at = now.toISOString();
  return {
    event_id: uuidv7(now.getTime()),
    type: 'run.patched',
    schema_version: SCHEMA_VERSION,
    org_id: run.org_id,
    project_id: run.project_id,
    run_id: stranded.runId,
    occurred_at: at,
    actor,
    payload: { status: 'error', error_summary: stranded.summary, append_log: { at, level: 'error', message: stranded.summary } },
  };
}
