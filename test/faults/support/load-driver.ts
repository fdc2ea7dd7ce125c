import { setTimeout as sleep } from 'node:timers/promises';
import { attempt, AttemptOutcome } from './attempt';
import { PlannedWrite, WriteRecord } from './ledger';
import { planRun, RunShape } from './load-plan';

export interface LoadOptions {
  /** Read at every attempt: a restarted stack may listen elsewhere. */
  ingestUrl: () => string;
  token: string;
  /** Unique text in keys, log lines and execution ids. */
  tag: string;
  projectId: string;
  runs: number;
  shape: RunShape;
  /** Runs written at once; each run's writes go one after another, as a runner sends them. */
  concurrency: number;
  /** Pause between two writes of a run, so the load spans the fault. */
  paceMs: number;
  /** An attempt without an answer after this is abandoned (and the write is in doubt). */
  attemptTimeoutMs: number;
  /** A write still not acknowledged this long after its first attempt is given up. */
  giveUpAfterMs: number;
  /** Which start of the stack process is listening now (see ledger.inDoubt). */
  incarnation?: () => number;
}

const MAX_RETRY_AFTER_MS = 5_000;
const MAX_BACKOFF_MS = 2_000;

/**
 * A load client with honest accounting: every write carries an Idempotency-Key and is retried
 * with the same key on connection errors, 429, 503 (and 404 for a run a restarted ingest does
 * not see yet), honouring Retry-After; each attempt's outcome is recorded.
 */
export class LoadDriver {
  readonly records: WriteRecord[] = [];
  private finished = false;
  private stopped = false;

  constructor(private readonly options: LoadOptions) {}

  get projectId(): string {
    return this.options.projectId;
  }

  /** Acknowledged writes so far, and whether every run is done. */
  progress(): { acked: number; sent: number; finished: boolean } {
    return { acked: this.records.filter((r) => r.acked).length, sent: this.records.length, finished: this.finished };
  }

  /** Sends no new write after the current ones (used when a test fails early). */
  stop(): void {
    this.stopped = true;
  }

  async run(): Promise<WriteRecord[]> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (!this.stopped && next < this.options.runs) {
        const runIndex = next;
        next += 1;
        await this.runSession(planRun(this.options.tag, this.options.projectId, runIndex, this.options.shape));
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency }, worker));
    this.finished = true;
    return this.records;
  }

  private async runSession(writes: PlannedWrite[]): Promise<void> {
    const [create, ...rest] = writes;
    const created = await this.send(create, undefined);
    if (!created.acked || !created.runId) return;
    for (const write of rest) {
      if (this.stopped) return;
      await sleep(this.options.paceMs);
      await this.send(write, created.runId);
    }
  }

  private async send(write: PlannedWrite, runId: string | undefined): Promise<WriteRecord> {
    const record: WriteRecord = { ...write, attempts: [], acked: false, runId };
    this.records.push(record);
    const { method, path } = route(write, runId);
    const headers = { authorization: `Bearer ${this.options.token}`, 'idempotency-key': write.idempotencyKey };
    const giveUpAt = Date.now() + this.options.giveUpAfterMs;
    for (let retry = 0; ; retry += 1) {
      const incarnation = this.options.incarnation?.() ?? 0;
      const outcome = await attempt(method, `${this.options.ingestUrl()}${path}`, write.body, headers, this.options.attemptTimeoutMs);
      record.attempts.push({ outcome: outcome.kind, incarnation, ...(outcome.kind === 'answered' ? { status: outcome.status } : { error: outcome.error }) });
      if (outcome.kind === 'answered' && outcome.status >= 200 && outcome.status < 300) {
        record.acked = true;
        if (write.kind === 'create') record.runId = (outcome.body as { id: string }).id;
        return record;
      }
      if (!retryable(outcome, write) || Date.now() > giveUpAt) {
        if (outcome.kind === 'answered' && !retryable(outcome, write)) record.rejectedWith = outcome.status;
        return record;
      }
      await sleep(retryDelay(outcome, retry));
    }
  }
}

function route(write: PlannedWrite, runId: string | undefined): { method: string; path: string } {
  switch (write.kind) {
    case 'create':
      return { method: 'POST', path: '/api/elt/runs' };
    case 'executions':
      return { method: 'POST', path: `/api/elt/runs/${runId}/model-executions` };
    default:
      return { method: 'PATCH', path: `/api/elt/runs/${runId}` };
  }
}

function retryable(outcome: AttemptOutcome, write: PlannedWrite): boolean {
  if (outcome.kind !== 'answered') return true;
  // 404 for a run whose create was acknowledged: an ingest started after it waits for the read
  // model (INGEST_RUN_LOOKUP_WAIT_MS), which may still be catching up after a crash.
  return [408, 429, 502, 503, 504].includes(outcome.status) || (outcome.status === 404 && write.kind !== 'create');
}

function retryDelay(outcome: AttemptOutcome, retry: number): number {
  const jitter = Math.random() * 100;
  if (outcome.kind === 'answered' && outcome.retryAfterMs !== undefined) return Math.min(outcome.retryAfterMs, MAX_RETRY_AFTER_MS) + jitter;
  return Math.min(MAX_BACKOFF_MS, 100 * 2 ** retry) + jitter;
}
