import { AnyRunEvent, uuidv7 } from '@runstream/events';

/** Events per run in the generated history. */
export const EVENTS_PER_RUN = 10;

/**
 * A realistic run history, deterministic apart from event ids: created, running, six
 * progress PATCHes (log line + telemetry sample), a report of five model executions,
 * success. Runs spread over 20 projects and a year of days.
 */
export function runHistory(index: number): AnyRunEvent[] {
  const runId = `run_bench_${index}`;
  const envelope = { schema_version: 1, org_id: 'bench', project_id: `proj_${index % 20}`, run_id: runId, actor: 'tok_bench' };
  const start = Date.UTC(2025, 0, 1) + (index % 365) * 86_400_000 + (index % 24) * 3_600_000;
  const at = (seconds: number) => new Date(start + seconds * 1000).toISOString();
  const events: AnyRunEvent[] = [
    {
      ...envelope,
      event_id: uuidv7(),
      type: 'run.created',
      occurred_at: at(0),
      payload: {
        job_id: '',
        job_name: `sqlmesh-run-${index}`,
        cronjob_name: `cron-${index % 8}`,
        namespace: 'org-bench',
        job_type: 'run',
        triggered_by: 'scheduled',
        target_gateway: '',
      },
    },
    {
      ...envelope,
      event_id: uuidv7(),
      type: 'run.patched',
      occurred_at: at(1),
      payload: { status: 'running', append_log: { at: at(1), level: 'info', message: 'starting plan' } },
    },
  ];
  for (let step = 1; step <= 6; step += 1) {
    events.push({
      ...envelope,
      event_id: uuidv7(),
      type: 'run.patched',
      occurred_at: at(step * 30),
      payload: {
        append_log: { at: at(step * 30), level: 'info', message: `loaded batch ${step} of orders.stg_orders: 125000 rows in 1.82s` },
        telemetry_summary: { rowsLoaded: step * 125_000, progress: step * 15, currentPhase: 'load' },
        append_telemetry_sample: { at: at(step * 30), values: { rowsLoaded: step * 125_000, bytesLoaded: step * 52_428_800 } },
      },
    });
  }
  events.push({
    ...envelope,
    event_id: uuidv7(),
    type: 'model_executions.reported',
    occurred_at: at(200),
    payload: {
      executions: Array.from({ length: 5 }, (_, m) => ({
        id: `exec_${index}_${m}`,
        model_name: `model_${(index + m) % 300}`,
        status: 'success',
        started_at: at(10 + m * 30),
        completed_at: at(10 + m * 30 + 5 + ((index * 7 + m * 13) % 120)),
        rows_processed: 1000 * (m + 1),
        bytes_processed: 4096 * (m + 1),
        interval_start: null,
        interval_end: null,
      })),
    },
  });
  events.push({
    ...envelope,
    event_id: uuidv7(),
    type: 'run.patched',
    occurred_at: at(200 + (index % 500)),
    payload: { status: index % 13 === 0 ? 'failed' : 'success' },
  });
  return events;
}
