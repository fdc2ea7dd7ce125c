import { RunRow } from '@runstream/clickhouse';

/**
 * A `runs` row for tests that write the table directly: a scheduled run, running, with no
 * log, samples or timings, in org1/p1 at 2026-02-26 06:00 UTC; `fields` says what differs.
 */
export function runRow(fields: Pick<RunRow, 'id'> & Partial<RunRow>): RunRow {
  return {
    org_id: 'org1',
    project_id: 'p1',
    job_id: '',
    job_name: 'job',
    cronjob_name: 'nightly',
    namespace: '',
    job_type: 'run',
    status: 'running',
    triggered_by: 'scheduled',
    target_gateway: '',
    claimed_by: '',
    claim_id: '',
    start_time: null,
    end_time: null,
    duration_seconds: null,
    error_summary: '',
    telemetry_summary: '{}',
    created_at: '2026-02-26 06:00:00.000',
    updated_at: '2026-02-26 06:00:00.000',
    event_count: 0,
    last_event_id: '00000000-0000-0000-0000-000000000000',
    log_generation: 0,
    log_count: 0,
    sample_generation: 0,
    sample_count: 0,
    kafka_partition: 0,
    kafka_offset: '0',
    ...fields,
  };
}
