import { RunEventEnvelope, truncateText } from '@runstream/events';
import { controlRunEvent, endedWithError, RunRef } from '../events/control-run-event';
import { JOB_NAME_LABEL } from './cronjob-manifest';
import { liveJobStatus } from './job-status';
import type { V1Job, V1Pod } from './kubernetes.client';

const MAX_SUMMARY_CHARS = 1_000;
/** A run is judged only this long after it was created: its Job is created right after it. */
export const STRANDED_GRACE_MS = 120_000;
/** Waiting reasons of a container that will not start without someone fixing the pod's spec, image or Secret. */
const STUCK_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError']);

/** `<namespace>/<name>`: how a run (namespace, job_name) names its Job, and how Jobs and pods are looked up. */
export function jobKey(namespace: string | undefined, name: string | undefined): string {
  return `${namespace}/${name}`;
}

/** Pods by the Job that created them (the Job controller's label). */
export function podsByJob(pods: V1Pod[]): Map<string, V1Pod[]> {
  const byJob = new Map<string, V1Pod[]>();
  for (const pod of pods) {
    const key = jobKey(pod.metadata?.namespace, pod.metadata?.labels?.[JOB_NAME_LABEL]);
    byJob.set(key, [...(byJob.get(key) ?? []), pod]);
  }
  return byJob;
}

function said(...parts: (string | undefined)[]): string {
  return parts.filter((part) => part).join(': ');
}

/** Kubernetes' own words for a failed Job: its Failed condition. */
function failureReason(job: V1Job): string {
  const condition = (job.status?.conditions ?? []).find((c) => (c.type === 'Failed' || c.type === 'FailureTarget') && c.status === 'True');
  return said(condition?.reason, condition?.message) || `${job.status?.failed ?? 0} pod(s) failed`;
}

/** Why a pod has not started, when waiting longer will not help: an image or Secret to fix, or no node that fits. */
function blockedReason(pod: V1Pod): string | undefined {
  if (pod.status?.phase !== 'Pending') return undefined;
  for (const container of pod.status?.containerStatuses ?? []) {
    const waiting = container.state?.waiting;
    if (waiting?.reason && STUCK_REASONS.has(waiting.reason)) return said(waiting.reason, waiting.message);
  }
  const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  return unscheduled ? said(unscheduled.reason ?? 'Unschedulable', unscheduled.message) : undefined;
}

function ageMs(created: Date | string | undefined, now: number): number {
  return created ? now - new Date(created).getTime() : 0;
}

function minutes(ms: number): string {
  return `${Number((ms / 60_000).toFixed(1))} min`;
}

/**
 * Why no pod will ever claim a run whose Job is `key`, or undefined while one still may: its Job
 * is gone (never created, deleted, or removed by the CronJob's history limit), ended without a
 * claim (its pod failed or was evicted before the runner claimed, or exited without following
 * the runner contract), or has been unable to start a pod for `stuckMs` (an image that cannot be
 * pulled, a missing Secret, no node that fits, no pod created at all: a quota).
 */
export function strandedReason(key: string, job: V1Job | undefined, pods: V1Pod[], now: Date, stuckMs: number): string | undefined {
  const at = now.getTime();
  const text = (summary: string) => truncateText(summary, MAX_SUMMARY_CHARS);
  if (!job) return text(`Kubernetes Job ${key} does not exist, and no pod claimed the run`);
  const status = liveJobStatus(job);
  if (status === 'failed') return text(`Kubernetes Job ${key} failed before its pod claimed the run: ${failureReason(job)}`);
  if (status === 'success') return text(`Kubernetes Job ${key} completed, but no pod claimed the run (does its image follow the runner contract?)`);
  for (const pod of pods) {
    const reason = blockedReason(pod);
    const age = ageMs(pod.metadata?.creationTimestamp, at);
    if (reason && age >= stuckMs) return text(`pod ${pod.metadata?.name} of Kubernetes Job ${key} could not start for ${minutes(age)}: ${reason}`);
  }
  const jobAge = ageMs(job.metadata?.creationTimestamp, at);
  if (pods.length === 0 && jobAge >= stuckMs)
    return text(`Kubernetes Job ${key} has had no pod for ${minutes(jobAge)} (a quota or an admission webhook refusing it?)`);
  return undefined;
}

/** Ends a stranded run `error` (after the control plane's claim on it won). */
export function strandedRunEvent(run: RunRef, summary: string, now: Date, actor: string): RunEventEnvelope<'run.patched'> {
  return controlRunEvent(run, 'run.patched', endedWithError(summary, now), now, actor);
}

/** The control plane's claim on a run it is about to end: if a pod's claim came first, this one loses and the run is left to it. */
export function strandedClaimEvent(run: RunRef, claimId: string, now: Date, actor: string): RunEventEnvelope<'run.claimed'> {
  return controlRunEvent(run, 'run.claimed', { gateway: actor, claim_id: claimId }, now, actor);
}
