import type { RunLocation } from '@runstream/clickhouse';
import { validateEvent } from '@runstream/events';
import type { V1Job, V1Pod } from './kubernetes.client';
import { isPendingUnclaimed, strandedRunEvent, strandedRuns } from './stranded-runs';

const NOW = new Date('2026-11-27T08:00:00Z');
const MINUTE = 60_000;

function job(name: string, runId: string | undefined, status: V1Job['status']): V1Job {
  const annotations: Record<string, string> = { 'runstream.dev/org': 'acme', ...(runId ? { 'runstream.dev/run-id': runId } : {}) };
  return { metadata: { name, namespace: 'runstream-acme', annotations }, status };
}

function pod(jobName: string, ageMs: number, waiting?: { reason: string; message?: string }, phase = 'Pending'): V1Pod {
  return {
    metadata: {
      name: `${jobName}-x1y2z`,
      namespace: 'runstream-acme',
      labels: { 'batch.kubernetes.io/job-name': jobName },
      creationTimestamp: new Date(NOW.getTime() - ageMs),
    },
    status: { phase, containerStatuses: waiting ? [{ name: 'runner', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting } }] : [] },
  };
}

const FAILED = {
  failed: 1,
  conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }],
};
const SECRET_MISSING = { reason: 'CreateContainerConfigError', message: 'secret "runstream-gateway-token" not found' };

describe('stranded triggered runs', () => {
  it("are those of failed triggered Jobs, with Kubernetes' reason; scheduled and finished Jobs have none", () => {
    expect(
      strandedRuns(
        [job('a', 'run_1', FAILED), job('b', undefined, FAILED), job('c', 'run_3', { succeeded: 1 }), job('d', 'run_4', { failed: 1 })],
        [],
        NOW,
        10 * MINUTE,
      ),
    ).toEqual([
      {
        orgId: 'acme',
        runId: 'run_1',
        summary: 'Kubernetes Job runstream-acme/a failed before its pod claimed the run: BackoffLimitExceeded: Job has reached the specified backoff limit',
      },
      { orgId: 'acme', runId: 'run_4', summary: 'Kubernetes Job runstream-acme/d failed before its pod claimed the run: 1 pod(s) failed' },
    ]);
  });

  it('only once a failed Job failed long enough ago for a claim by its pod to be materialized', () => {
    const recently = { ...FAILED, conditions: [{ ...FAILED.conditions[0], lastTransitionTime: new Date(NOW.getTime() - MINUTE) }] };
    expect(strandedRuns([job('a', 'run_1', recently)], [], NOW, 10 * MINUTE)).toEqual([]);
    expect(strandedRuns([job('a', 'run_1', recently)], [], new Date(NOW.getTime() + MINUTE), 10 * MINUTE)).toHaveLength(1);
  });

  it('and those whose pod could not start for the timeout: a missing Secret, an image that cannot be pulled', () => {
    const jobs = [job('a', 'run_1', { active: 1 }), job('b', 'run_2', { active: 1 }), job('c', 'run_3', { active: 1 }), job('d', 'run_4', {})];
    const pods = [
      pod('a', 11 * MINUTE, SECRET_MISSING),
      pod('b', 9 * MINUTE, SECRET_MISSING), // not yet
      pod('c', 30 * MINUTE, { reason: 'ContainerCreating' }), // slow, not stuck
      pod('d', 12 * MINUTE, { reason: 'ImagePullBackOff', message: 'Back-off pulling image "runstream-runner:typo"' }),
      pod('e', 60 * MINUTE, SECRET_MISSING), // no Job of ours
    ];
    expect(strandedRuns(jobs, pods, NOW, 10 * MINUTE)).toEqual([
      {
        orgId: 'acme',
        runId: 'run_1',
        summary:
          'pod a-x1y2z of Kubernetes Job runstream-acme/a could not start for 11 min: CreateContainerConfigError: secret "runstream-gateway-token" not found',
      },
      {
        orgId: 'acme',
        runId: 'run_4',
        summary: 'pod d-x1y2z of Kubernetes Job runstream-acme/d could not start for 12 min: ImagePullBackOff: Back-off pulling image "runstream-runner:typo"',
      },
    ]);
    expect(strandedRuns([job('a', 'run_1', { active: 1 })], [pod('a', 60 * MINUTE, SECRET_MISSING, 'Running')], NOW, 10 * MINUTE)).toEqual([]);
  });

  it('end only a run that is still pending and unclaimed', () => {
    expect(isPendingUnclaimed({ status: 'pending', claimed_by: '' })).toBe(true);
    expect(isPendingUnclaimed({ status: 'pending', claimed_by: 'kubernetes' })).toBe(false);
    expect(isPendingUnclaimed({ status: 'failed', claimed_by: '' })).toBe(false);
    expect(isPendingUnclaimed(undefined)).toBe(false);
  });

  it('end it error with a valid event, the reason as summary and last log line', () => {
    const run: RunLocation = { org_id: 'acme', project_id: 'analytics', status: 'pending', target_gateway: 'kubernetes', claimed_by: '', claim_id: '' };
    const [stranded] = strandedRuns([job('a', 'run_1', FAILED)], [], NOW, MINUTE);
    const event = strandedRunEvent(run, stranded, NOW, 'control-plane');
    expect(validateEvent(event)).toBeUndefined();
    expect(event).toMatchObject({
      type: 'run.patched',
      org_id: 'acme',
      project_id: 'analytics',
      run_id: 'run_1',
      payload: { status: 'error', error_summary: stranded.summary, append_log: { at: '2026-11-27T08:00:00.000Z', level: 'error', message: stranded.summary } },
    });
  });
});
