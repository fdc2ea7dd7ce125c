import { Cron } from 'croner';
import { createHash } from 'node:crypto';

/**
 * A croner schedule for a job, never started (we only ask it for times). Same library and
 * default options as the API's validation, so what was accepted is what fires.
 */
export function cronFor(schedule: string, timezone: string): Cron {
  return new Cron(schedule, { paused: true, timezone: timezone || 'UTC' });
}

/**
 * The latest tick T with T ≤ now, or null when the schedule never fired before `now`.
 * croner's previousRuns looks strictly before the whole second of its reference, so ask from
 * one second past `now` and step back over a tick that lies in the rest of this second.
 */
export function latestTickAtOrBefore(cron: Cron, now: Date): Date | null {
  let tick: Date | undefined = cron.previousRuns(1, new Date(now.getTime() + 1000))[0];
  while (tick !== undefined && tick.getTime() > now.getTime()) tick = cron.previousRuns(1, tick)[0];
  return tick ?? null;
}

/**
 * The id of the run a job's tick starts: the same on every scheduler instance and after every
 * restart, so announcing it twice is one run (the materializer's fold ignores the repeat).
 */
export function scheduledRunId(jobId: string, tick: Date): string {
  return `run_${createHash('sha256').update(`${jobId}|${tick.toISOString()}`).digest('hex').slice(0, 32)}`;
}

/** What the scheduler needs to know of a job to decide its ticks. */
export interface SchedulableJob {
  id: string;
  schedule: string;
  timezone: string;
  enabled: boolean;
  /**
   * Since when its schedule stands (its creation, or its last change of schedule, timezone or
   * enabled): a tick before it is never fired, so a job created, re-enabled or rescheduled after a
   * tick does not start a run for that tick. Other edits leave it, and so a tick still retried.
   */
  since: Date;
}

/** What one job's latest tick calls for. */
export type TickDecision =
  | { kind: 'none' }
  /** The tick is due: start its run (and record it fired once the start succeeded). */
  | { kind: 'fire'; tick: Date }
  /** The tick is past but must not run (before the job's `since`, or older than the deadline). */
  | { kind: 'skip'; tick: Date; reason: 'before-job' | 'past-deadline' };

/**
 * The one rule, for a job first seen (cursor null) and in steady state alike: only the latest
 * tick T ≤ now (`tick`, from latestTickAtOrBefore) is considered; it runs when it is after the cursor (the last tick fired or
 * skipped), not before the job's `since`, and at most `deadlineMs` old. Older missed ticks
 * are never run: after downtime at most one catch-up run per job, like Kubernetes'
 * startingDeadlineSeconds.
 */
export function decideTick(tick: Date | null, job: Pick<SchedulableJob, 'since'>, cursor: Date | null, now: Date, deadlineMs: number): TickDecision {
  if (tick === null) return { kind: 'none' };
  if (cursor !== null && tick.getTime() <= cursor.getTime()) return { kind: 'none' };
  if (tick.getTime() < job.since.getTime()) return { kind: 'skip', tick, reason: 'before-job' };
  if (now.getTime() - tick.getTime() > deadlineMs) return { kind: 'skip', tick, reason: 'past-deadline' };
  return { kind: 'fire', tick };
}
