import type { RunLocation } from '@runstream/clickhouse';
import { validateEvent } from '@runstream/events';
import { endsUnclaimed, failedTriggeredJobs, unclaimedRunFailedEvent } from './failed-job-runs';
import type { V1Job } from './kubernetes.client';

function job(name: string, annotations: Record<string, string>, status: V1Job['status']): V1Job {
  return { metadata: { name, namespace: 'runstream-acme', annotations }, status };
}

const TRIGGERED = { 'runstream.dev/org': 'acme', 'runstream.dev/run-id': 'run_1' };
const FAILED = {
  failed: 1,
  conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }],
};

describe('failed triggered Jobs', () => {
  it('are the failed Jobs that carry a run id, with the reason Kubernetes gives', () => {
    expect(
      failedTriggeredJobs([
        job('a', TRIGGERED, FAILED),
        job('b', { 'runstream.dev/org': 'acme' }, FAILED), // scheduled: its pod creates its run
        job('c', { ...TRIGGERED, 'runstream.dev/run-id': 'run_3' }, { active: 1 }),
        job('d', { ...TRIGGERED, 'runstream.dev/run-id': 'run_4' }, { failed: 1 }),
      ]),
    ).toEqual([
      { orgId: 'acme', runId: 'run_1', name: 'runstream-acme/a', reason: 'BackoffLimitExceeded: Job has reached the specified backoff limit' },
      { orgId: 'acme', runId: 'run_4', name: 'runstream-acme/d', reason: '1 pod(s) failed' },
    ]);
  });

  it('end only a run that is still pending and unclaimed', () => {
    expect(endsUnclaimed({ status: 'pending', claimed_by: '' })).toBe(true);
    expect(endsUnclaimed({ status: 'pending', claimed_by: 'kubernetes' })).toBe(false);
    expect(endsUnclaimed({ status: 'failed', claimed_by: '' })).toBe(false);
    expect(endsUnclaimed(undefined)).toBe(false);
  });

  it('end it error with a valid event saying which Job failed and why, as summary and last log line', () => {
    const run: RunLocation = { org_id: 'acme', project_id: 'analytics', status: 'pending', target_gateway: 'kubernetes', claimed_by: '', claim_id: '' };
    const [failed] = failedTriggeredJobs([job('a', TRIGGERED, FAILED)]);
    const event = unclaimedRunFailedEvent(run, failed, new Date('2026-11-27T08:00:00Z'), 'control-plane');
    expect(validateEvent(event)).toBeUndefined();
    const summary = 'Kubernetes Job runstream-acme/a failed before its pod claimed the run: BackoffLimitExceeded: Job has reached the specified backoff limit';
    expect(event).toMatchObject({
      type: 'run.patched',
      org_id: 'acme',
      project_id: 'analytics',
      run_id: 'run_1',
      payload: { status: 'error', error_summary: summary, append_log: { at: '2026-11-27T08:00:00.000Z', level: 'error', message: summary } },
    });
  });
});
