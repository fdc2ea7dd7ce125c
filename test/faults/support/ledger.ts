import { AttemptOutcome } from './attempt';

export type WriteKind = 'create' | 'status' | 'log' | 'executions';

export interface PlannedExecution {
  id: string;
  model: string;
  status: 'success' | 'failed';
}

/** One write of the load, before it is sent: what it is and what it should leave behind. */
export interface PlannedWrite {
  kind: WriteKind;
  runIndex: number;
  idempotencyKey: string;
  body: Record<string, unknown>;
  /** status writes: the canonical status the run takes. */
  status?: string;
  /** log writes: the line's text, unique across the whole test. */
  message?: string;
  /** execution reports: the executions, with ids unique across the whole test. */
  executions?: PlannedExecution[];
}

export interface AttemptRecord {
  outcome: AttemptOutcome['kind'];
  status?: number;
  error?: string;
  /** Which start of the stack process the attempt went to (0 when nothing restarts). */
  incarnation: number;
}

/** A write as sent: every attempt, and whether one was acknowledged (2xx). */
export interface WriteRecord extends PlannedWrite {
  attempts: AttemptRecord[];
  acked: boolean;
  /** The run's id (for a create: the one its acknowledged answer named). */
  runId?: string;
  /** A final answer that is neither 2xx nor retryable (it is reported, and fails the suite). */
  rejectedWith?: number;
}

const is2xx = (status: number | undefined): boolean => status !== undefined && status >= 200 && status < 300;

/**
 * An attempt that may have appended an event: no answer (the request may have been processed),
 * a 5xx (a publish past its deadline may still land), or a 2xx. Refused connections, 429, 404,
 * 408 and the like are answers that say "not appended".
 */
function mayHaveLanded(attempt: AttemptRecord): boolean {
  return attempt.outcome === 'unanswered' || (attempt.status !== undefined && (attempt.status >= 500 || is2xx(attempt.status)));
}

/**
 * In doubt: an acknowledged write that may have landed more than once. That is when an attempt
 * went unanswered, or when an attempt answered 5xx and the write was acknowledged by another
 * start of the stack process, whose idempotency memory cannot know the first. A 503 followed by
 * a 2xx from the same process is not in doubt: the retry with the same key learns the outcome.
 */
export function inDoubt(record: WriteRecord): boolean {
  return doubtReason(record) !== undefined;
}

export function doubtReason(record: WriteRecord): 'unanswered' | 'restart' | undefined {
  if (record.attempts.some((a) => a.outcome === 'unanswered')) return 'unanswered';
  const ack = record.attempts.find((a) => is2xx(a.status));
  const crossed = ack !== undefined && record.attempts.some((a) => a.status !== undefined && a.status >= 500 && a.incarnation !== ack.incarnation);
  return crossed ? 'restart' : undefined;
}

/** How many times the write's effect may be read back: [min, max]. */
export function occurrences(record: WriteRecord): [number, number] {
  const landable = record.attempts.filter(mayHaveLanded).length;
  if (!record.acked) return [0, landable];
  return inDoubt(record) ? [1, landable] : [1, 1];
}

export interface LedgerSummary {
  writes: number;
  acked: number;
  /** Acknowledged, and possibly applied more than once (see inDoubt). */
  ackedInDoubt: number;
  /** Of those: an attempt went unanswered; or a 5xx came from a process that restarted before the ack. */
  inDoubtUnanswered: number;
  inDoubtAcrossRestart: number;
  notAcked: number;
  rejected: number;
  attempts: number;
  unansweredAttempts: number;
  refusedAttempts: number;
  /** Answers by HTTP status, e.g. { 201: 80, 202: 900, 503: 12 }. */
  answers: Record<number, number>;
  /** Attempts without an answer by error, e.g. { "TypeError ECONNRESET": 3, "TimeoutError": 1 }. */
  errors: Record<string, number>;
}

export function summarize(records: readonly WriteRecord[]): LedgerSummary {
  const answers: Record<number, number> = {};
  const errors: Record<string, number> = {};
  let attempts = 0;
  let unansweredAttempts = 0;
  let refusedAttempts = 0;
  for (const record of records) {
    for (const a of record.attempts) {
      attempts += 1;
      if (a.outcome === 'unanswered') unansweredAttempts += 1;
      if (a.outcome === 'refused') refusedAttempts += 1;
      if (a.status !== undefined) answers[a.status] = (answers[a.status] ?? 0) + 1;
      if (a.error !== undefined) errors[a.error] = (errors[a.error] ?? 0) + 1;
    }
  }
  return {
    writes: records.length,
    acked: records.filter((r) => r.acked).length,
    ackedInDoubt: records.filter((r) => r.acked && inDoubt(r)).length,
    inDoubtUnanswered: records.filter((r) => r.acked && doubtReason(r) === 'unanswered').length,
    inDoubtAcrossRestart: records.filter((r) => r.acked && doubtReason(r) === 'restart').length,
    notAcked: records.filter((r) => !r.acked).length,
    rejected: records.filter((r) => r.rejectedWith !== undefined).length,
    attempts,
    unansweredAttempts,
    refusedAttempts,
    answers,
    errors,
  };
}
