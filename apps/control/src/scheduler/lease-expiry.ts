import { ClaimedRunLease } from '@runstream/clickhouse';
import { RunEventEnvelope } from '@runstream/events';
import { controlRunEvent, endedWithError } from '../events/control-run-event';

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
  return controlRunEvent(run, 'run.patched', endedWithError(leaseExpiredSummary(leaseMs, run.claimed_by), now), now, actor);
}
