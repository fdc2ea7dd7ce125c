import { ClaimedRunLease } from '@runstream/clickhouse';
import { RunEventEnvelope, SCHEMA_VERSION, uuidv7 } from '@runstream/events';

/** "60 s", "1.5 s": the lease as the error summary states it. */
export function leaseSeconds(leaseMs: number): string {
  return `${Number((leaseMs / 1000).toFixed(3))} s`;
}

export function leaseExpiredSummary(leaseMs: number, claimedBy: string): string {
  return `agent lease expired: no report for ${leaseSeconds(leaseMs)} (claimed by ${claimedBy})`;
}

/**
 * Ends a claimed run whose agent went silent: status `error`, the reason as its error summary
 * and as a log line (what a reader of the run's logs sees last). Two sweepers ending the same
 * run append two of these; the fold applies error → error as no change of status.
 */
export function leaseExpiredEvent(run: ClaimedRunLease, leaseMs: number, now: Date, actor: string): RunEventEnvelope<'run.patched'> {
  const summary = leaseExpiredSummary(leaseMs, run.claimed_by);
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
