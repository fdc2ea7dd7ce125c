import { ClaimedRunLease, RunRow } from '@runstream/clickhouse';
import { validateEvent } from '@runstream/events';
import { foldRunEvent } from '../../../materializer/src/fold/run-fold';
import { leaseExpiredEvent, leaseExpiredSummary, leaseSeconds } from './lease-expiry';

const lease: ClaimedRunLease = {
  org_id: 'org_a',
  project_id: 'proj_a',
  id: 'run_0123456789abcdef0123456789abcdef',
  status: 'running',
  target_gateway: 'local-gateway',
  claimed_by: 'local-gateway',
  updated_at: '2026-02-01 10:00:00.000',
};

function runRow(status: string): RunRow {
  return {
    org_id: 'org_a',
    project_id: 'proj_a',
    id: lease.id,
    job_id: 'job_a',
    job_name: 'j',
    cronjob_name: 'c',
    namespace: '',
    job_type: 'run',
    status,
    triggered_by: 'scheduled',
    target_gateway: 'local-gateway',
    command_argv: ['dbt', 'build'],
    claimed_by: 'local-gateway',
    claim_id: 'clm_1',
    start_time: '2026-02-01 09:59:00.000',
    end_time: status === 'running' ? null : '2026-02-01 10:01:00.000',
    duration_seconds: null,
    error_summary: '',
    telemetry_summary: '{}',
    created_at: '2026-02-01 09:58:00.000',
    updated_at: '2026-02-01 10:00:00.000',
    event_count: 3,
    last_event_id: '018f0000-0000-7000-8000-000000000000',
    log_generation: 0,
    log_count: 0,
    sample_generation: 0,
    sample_count: 0,
    kafka_partition: 0,
    kafka_offset: '10',
  };
}

describe('lease expiry', () => {
  const now = new Date('2026-02-01T10:01:05.000Z');

  it('states the lease in seconds and who claimed the run', () => {
    expect(leaseSeconds(60_000)).toBe('60 s');
    expect(leaseSeconds(1_500)).toBe('1.5 s');
    expect(leaseExpiredSummary(60_000, 'gw-1')).toBe('agent lease expired: no report for 60 s (claimed by gw-1)');
  });

  it('is a valid run.patched to error, with the reason as summary and last log line', () => {
    const event = leaseExpiredEvent(lease, 60_000, now, 'control-plane');
    expect(validateEvent(event)).toBeUndefined();
    expect(event).toMatchObject({
      type: 'run.patched',
      run_id: lease.id,
      org_id: 'org_a',
      project_id: 'proj_a',
      actor: 'control-plane',
      occurred_at: '2026-02-01T10:01:05.000Z',
      payload: { status: 'error', error_summary: leaseExpiredSummary(60_000, 'local-gateway'), append_log: { level: 'error' } },
    });
  });

  it('ends a running run, and a second sweep ending it again is applied as no change of status (not a dead letter)', () => {
    const first = foldRunEvent(runRow('running'), leaseExpiredEvent(lease, 60_000, now, 'control-plane'), { partition: 0, offset: '11' });
    expect(first.kind).toBe('applied');
    const ended = first.kind === 'applied' ? first.row : undefined;
    expect(ended).toMatchObject({ status: 'error', error_summary: leaseExpiredSummary(60_000, 'local-gateway'), end_time: '2026-02-01 10:01:05.000' });
    const second = foldRunEvent(ended, leaseExpiredEvent(lease, 60_000, new Date('2026-02-01T10:01:06.000Z'), 'control-plane'), { partition: 0, offset: '12' });
    expect(second.kind).toBe('applied');
    expect(second.kind === 'applied' ? second.row : undefined).toMatchObject({ status: 'error', end_time: '2026-02-01 10:01:05.000' });
  });

  it('arriving after the agent finished the run is refused by the fold (the race the read-model check narrows)', () => {
    expect(foldRunEvent(runRow('success'), leaseExpiredEvent(lease, 60_000, now, 'control-plane'), { partition: 0, offset: '11' }).kind).toBe('rejected');
  });
});
