import { RunEventEnvelope, SCHEMA_VERSION, truncateText, uuidv7 } from '@runstream/events';
import { liveJobStatus } from './job-status';
import type { V1Job, V1Pod } from './kubernetes.client';

const MAX_SUMMARY_CHARS = 1_000;
/**
 * A run is judged only this long after it was created, and by a finished Job only this long after
 * it finished: its Job exists by then (the control plane creates it right after the run), and a claim
 * by its pod is in the read model even with a lagging materializer (a claimed run is left to the
 * lease sweeper, not mistaken for one nobody claimed).
 */
export const STRANDED_GRACE_MS = 120_000;
/** Waiting reasons of a container that will not start without someone fixing the pod's spec, image or Secret. */
const STUCK_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError']);

/** A pending run of this backend that no pod has claimed: where its Job should be. */
export interface UnclaimedRun {
  /** `<namespace>/<job_name>`: its Kubernetes Job. */
  job: string;
  createdAt: Date;
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

function podStuckFor(jobName: string, pods: V1Pod[], now: number, stuckMs: number): string | undefined {
  for (const pod of pods) {
    const reason = stuckReason(pod);
    const age = now - (pod.metadata?.creationTimestamp ? new Date(pod.metadata.creationTimestamp).getTime() : now);
    if (reason && age >= stuckMs) return `pod ${pod.metadata?.name} of Kubernetes Job ${jobName} could not start for ${minutes(age)}: ${reason}`;
  }
  return undefined;
}

/**
 * Why no pod will ever claim `run`, or undefined while one still may: its Job is gone (deleted,
 * or removed by the CronJob's history limit), ended without a claim (its pod failed or was
 * evicted before the runner claimed, or exited without following the runner contract), or its
 * pod has been unable to start for `stuckMs` (an image that cannot be pulled, a missing Secret).
 */
export function strandedReason(run: UnclaimedRun, job: V1Job | undefined, pods: V1Pod[], now: Date, stuckMs: number): string | undefined {
  const at = now.getTime();
  if (at - run.createdAt.getTime() < STRANDED_GRACE_MS) return undefined;
  const said = (text: string) => truncateText(text, MAX_SUMMARY_CHARS);
  if (!job) return said(`Kubernetes Job ${run.job} no longer exists, and no pod claimed the run`);
  const status = liveJobStatus(job);
  if (status === 'failed') {
    const { reason, since } = failure(job);
    return at - since < STRANDED_GRACE_MS ? undefined : said(`Kubernetes Job ${run.job} failed before its pod claimed the run: ${reason}`);
  }
  if (status === 'success') {
    const since = job.status?.completionTime ? new Date(job.status.completionTime).getTime() : 0;
    return at - since < STRANDED_GRACE_MS
      ? undefined
      : said(`Kubernetes Job ${run.job} completed, but no pod claimed the run (does its image follow the runner contract?)`);
  }
  const stuck = podStuckFor(run.job, pods, at, stuckMs);
  return stuck && said(stuck);
}

/** Ends a stranded run `error`, its reason as error summary and last log line. */
export function strandedRunEvent(
  run: { org_id: string; project_id: string; id: string },
  summary: string,
  now: Date,
  actor: string,
): RunEventEnvelope<'run.patched'> {
  const at = now.toISOString();
  return {
    event_id: uuidv7(now.getTime()),
    type: 'run.patched',
    schema_version: SCHEMA_VERSION,
    org_id: run.org_id,
    project_id: run.project_id,
    run_id: run.id,
    occurred_at: at,
    actor,
    payload: { status: 'error', error_summary: summary, append_log: { at, level: 'error', message: summary } },
  };
}
