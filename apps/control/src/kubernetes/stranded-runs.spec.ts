import { validateEvent } from '@runstream/events';
import type { V1Job, V1Pod } from './kubernetes.client';
import { STRANDED_GRACE_MS, strandedReason, strandedRunEvent } from './stranded-runs';

const NOW = new Date('2026-11-27T08:00:00Z');
const MINUTE = 60_000;
const ago = (ms: number): Date => new Date(NOW.getTime() - ms);
const RUN = { job: 'runstream-acme/analytics-nightly-20261127-074500-0a1b2c3d', createdAt: ago(15 * MINUTE) };

function job(status: V1Job['status']): V1Job {
  return { metadata: { name: 'analytics-nightly-20261127-074500-0a1b2c3d', namespace: 'runstream-acme' }, status };
}

function pod(ageMs: number, waiting?: { reason: string; message?: string }, phase = 'Pending'): V1Pod {
  return {
    metadata: { name: 'analytics-nightly-x1y2z', namespace: 'runstream-acme', creationTimestamp: ago(ageMs) },
    status: { phase, containerStatuses: waiting ? [{ name: 'runner', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting } }] : [] },
  };
}

const failedAt = (at: Date): V1Job['status'] => ({
  failed: 1,
  conditions: [
    { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastTransitionTime: at },
  ],
});
const SECRET_MISSING = { reason: 'CreateContainerConfigError', message: 'secret "runstream-gateway-token" not found' };
const stranded = (j: V1Job | undefined, pods: V1Pod[] = [], run = RUN) => strandedReason(run, j, pods, NOW, 10 * MINUTE);

describe('a run of the Kubernetes backend that no pod claimed', () => {
  it('is stranded when its Job is gone, failed, or completed without a claim, each said with the Job', () => {
    expect(stranded(undefined)).toBe(`Kubernetes Job ${RUN.job} no longer exists, and no pod claimed the run`);
    expect(stranded(job(failedAt(ago(3 * MINUTE))))).toBe(
      `Kubernetes Job ${RUN.job} failed before its pod claimed the run: BackoffLimitExceeded: Job has reached the specified backoff limit`,
    );
    expect(stranded(job({ failed: 1 }))).toBe(`Kubernetes Job ${RUN.job} failed before its pod claimed the run: 1 pod(s) failed`);
    expect(stranded(job({ succeeded: 1, completionTime: ago(5 * MINUTE) }))).toMatch(/completed, but no pod claimed the run/);
  });

  it('is not judged before the grace: a young run may not have its Job yet, a claim by a pod that just ended may not be materialized', () => {
    expect(stranded(undefined, [], { ...RUN, createdAt: ago(STRANDED_GRACE_MS - 1) })).toBeUndefined();
    expect(stranded(job(failedAt(ago(MINUTE))))).toBeUndefined();
    expect(stranded(job({ succeeded: 1, completionTime: ago(MINUTE) }))).toBeUndefined();
  });

  it('is stranded when its pod could not start for the timeout (a missing Secret, an image that cannot be pulled), not when it is merely slow', () => {
    const active = job({ active: 1 });
    expect(stranded(active, [pod(11 * MINUTE, SECRET_MISSING)])).toBe(
      `pod analytics-nightly-x1y2z of Kubernetes Job ${RUN.job} could not start for 11 min: CreateContainerConfigError: secret "runstream-gateway-token" not found`,
    );
    expect(stranded(job({}), [pod(12 * MINUTE, { reason: 'ImagePullBackOff', message: 'Back-off pulling image "runstream-runner:typo"' })])).toMatch(
      /could not start for 12 min: ImagePullBackOff: Back-off pulling image "runstream-runner:typo"$/,
    );
    expect(stranded(active, [pod(9 * MINUTE, SECRET_MISSING)])).toBeUndefined();
    expect(stranded(active, [pod(30 * MINUTE, { reason: 'ContainerCreating' })])).toBeUndefined();
    expect(stranded(active, [pod(60 * MINUTE, SECRET_MISSING, 'Running')])).toBeUndefined();
    expect(stranded(active)).toBeUndefined();
  });

  it('is ended error with a valid event, the reason as summary and last log line', () => {
    const summary = stranded(undefined) ?? '';
    const event = strandedRunEvent({ org_id: 'acme', project_id: 'analytics', id: 'run_1' }, summary, NOW, 'control-plane');
    expect(validateEvent(event)).toBeUndefined();
    expect(event).toMatchObject({
      type: 'run.patched',
      org_id: 'acme',
      project_id: 'analytics',
      run_id: 'run_1',
      payload: { status: 'error', error_summary: summary, append_log: { at: NOW.toISOString(), level: 'error', message: summary } },
    });
  });
});
