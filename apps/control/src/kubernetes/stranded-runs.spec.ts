import { validateEvent } from '@runstream/events';
import type { V1Job, V1Pod } from './kubernetes.client';
import { jobKey, podsByJob, strandedClaimEvent, strandedReason, strandedRunEvent } from './stranded-runs';

const NOW = new Date('2026-11-27T08:00:00Z');
const MINUTE = 60_000;
const ago = (ms: number): Date => new Date(NOW.getTime() - ms);
const NAME = 'analytics-nightly-20261127-074500-0a1b2c3d';
const KEY = jobKey('runstream-acme', NAME);

function job(status: V1Job['status'], createdAgoMs = 15 * MINUTE): V1Job {
  return { metadata: { name: NAME, namespace: 'runstream-acme', creationTimestamp: ago(createdAgoMs) }, status };
}

function pod(ageMs: number, status: Partial<NonNullable<V1Pod['status']>> = {}): V1Pod {
  return {
    metadata: { name: `${NAME}-x1y2z`, namespace: 'runstream-acme', labels: { 'batch.kubernetes.io/job-name': NAME }, creationTimestamp: ago(ageMs) },
    status: { phase: 'Pending', ...status },
  };
}

const waiting = (reason: string, message?: string): Partial<NonNullable<V1Pod['status']>> => ({
  containerStatuses: [{ name: 'runner', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason, message } } }],
});
const FAILED: V1Job['status'] = {
  failed: 1,
  conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }],
};
const stranded = (j: V1Job | undefined, pods: V1Pod[] = []) => strandedReason(KEY, j, pods, NOW, 10 * MINUTE);

describe('a run of the Kubernetes backend that no pod claimed', () => {
  it('is stranded when its Job does not exist, failed, or completed without a claim, each said with the Job', () => {
    expect(stranded(undefined)).toBe(`Kubernetes Job ${KEY} does not exist, and no pod claimed the run`);
    expect(stranded(job(FAILED))).toBe(
      `Kubernetes Job ${KEY} failed before its pod claimed the run: BackoffLimitExceeded: Job has reached the specified backoff limit`,
    );
    expect(stranded(job({ failed: 1 }))).toBe(`Kubernetes Job ${KEY} failed before its pod claimed the run: 1 pod(s) failed`);
    expect(stranded(job({ succeeded: 1 }))).toMatch(/completed, but no pod claimed the run/);
  });

  it('is stranded when its pod could not start for the timeout: a missing Secret, an image that cannot be pulled, no node that fits', () => {
    const active = job({ active: 1 });
    expect(stranded(active, [pod(11 * MINUTE, waiting('CreateContainerConfigError', 'secret "runstream-gateway-token" not found'))])).toBe(
      `pod ${NAME}-x1y2z of Kubernetes Job ${KEY} could not start for 11 min: CreateContainerConfigError: secret "runstream-gateway-token" not found`,
    );
    expect(stranded(job({}), [pod(12 * MINUTE, waiting('ImagePullBackOff', 'Back-off pulling image "runstream-runner:typo"'))])).toMatch(
      /could not start for 12 min: ImagePullBackOff: Back-off pulling image "runstream-runner:typo"$/,
    );
    const unschedulable = {
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient memory.' }],
    };
    expect(stranded(active, [pod(20 * MINUTE, unschedulable)])).toMatch(
      /could not start for 20 min: Unschedulable: 0\/3 nodes are available: 3 Insufficient memory\.$/,
    );
    expect(stranded(job({}, 11 * MINUTE))).toBe(`Kubernetes Job ${KEY} has had no pod for 11 min (a quota or an admission webhook refusing it?)`);
  });

  it('is not stranded while a pod may still start: before the timeout, slow but progressing, or running', () => {
    const active = job({ active: 1 });
    expect(stranded(active, [pod(9 * MINUTE, waiting('CreateContainerConfigError'))])).toBeUndefined();
    expect(stranded(active, [pod(30 * MINUTE, waiting('ContainerCreating'))])).toBeUndefined();
    expect(stranded(active, [pod(60 * MINUTE, { ...waiting('CreateContainerConfigError'), phase: 'Running' })])).toBeUndefined();
    expect(stranded(job({}, 9 * MINUTE))).toBeUndefined();
  });

  it('finds its pods by the Job that created them', () => {
    const other = { ...pod(MINUTE), metadata: { ...pod(MINUTE).metadata, labels: { 'batch.kubernetes.io/job-name': 'other' } } };
    const grouped = podsByJob([pod(MINUTE), other, pod(2 * MINUTE)]);
    expect(grouped.get(KEY)).toHaveLength(2);
    expect(grouped.get(jobKey('runstream-acme', 'other'))).toHaveLength(1);
  });

  it('is claimed by the control plane, then ended error, with valid events carrying the reason as summary and last log line', () => {
    const run = { org_id: 'acme', project_id: 'analytics', id: 'run_1' };
    const claim = strandedClaimEvent(run, 'control-plane-1', NOW, 'control-plane');
    expect(validateEvent(claim)).toBeUndefined();
    expect(claim).toMatchObject({ type: 'run.claimed', run_id: 'run_1', payload: { gateway: 'control-plane', claim_id: 'control-plane-1' } });
    const summary = stranded(undefined) ?? '';
    const end = strandedRunEvent(run, summary, NOW, 'control-plane');
    expect(validateEvent(end)).toBeUndefined();
    expect(end).toMatchObject({
      type: 'run.patched',
      run_id: 'run_1',
      payload: { status: 'error', error_summary: summary, append_log: { at: NOW.toISOString(), level: 'error', message: summary } },
    });
  });
});
