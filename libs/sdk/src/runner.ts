import { randomUUID } from 'node:crypto';
import type { components } from './api/ingest';
import { Transport } from './transport';

type CreateRunDto = components['schemas']['CreateRunDto'];
/** The server defaults jobType (run) and triggeredBy (manual); openapi-typescript types fields with a default as always present. */
export type CreateRunBody = Omit<CreateRunDto, 'jobType' | 'triggeredBy'> & Partial<Pick<CreateRunDto, 'jobType' | 'triggeredBy'>>;
export type PatchRunBody = components['schemas']['PatchRunDto'];
export type LogLevel = components['schemas']['AppendLogDto']['level'];
export type TelemetrySummary = NonNullable<PatchRunBody['telemetrySummary']>;
export type FinishStatus = 'succeeded' | 'failed' | 'cancelled' | 'partial' | 'error' | 'success';

export interface RunnerOptions {
  /** Queued log lines are sent this often (default 1000 ms), and at finish. */
  flushIntervalMs?: number;
  /** The latest sample() is appended this often while it changes (default 5000 ms). */
  telemetryIntervalMs?: number;
  /** Told about a background write that failed after its retries (finish() then throws RunReportIncompleteError). */
  onError?: (error: unknown) => void;
}

/**
 * Thrown by finish() after the final status was written, when writes before it failed after their
 * retries: the run ended, but `linesNotSent` log lines (and maybe a sample or summary) are missing.
 */
export class RunReportIncompleteError extends Error {
  constructor(
    readonly runId: string,
    readonly linesNotSent: number,
    override readonly cause: unknown,
  ) {
    super(`run ${runId} ended, but earlier writes failed (${linesNotSent} log lines not sent): ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'RunReportIncompleteError';
  }
}

/**
 * Reports one run the way the write API's typical PATCH sequence goes: running, log lines
 * and telemetry while it works, a final status. Writes go one at a time, in order, each with
 * its own Idempotency-Key, reused by every retry of that write, so a retry never records
 * anything twice. The write API appends one log line per PATCH: lines are queued and sent in
 * order each flush, the first of a flush carrying any pending summary and sample.
 */
export class RunReporter {
  private readonly keyPrefix = randomUUID();
  private writes = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly lines: { level: LogLevel; message: string }[] = [];
  private summary: TelemetrySummary | undefined;
  private latestSample: Record<string, number> | undefined;
  private sampleSent = true;
  private failure: unknown;
  private linesNotSent = 0;
  private readonly timers: NodeJS.Timeout[] = [];

  private constructor(
    private readonly transport: Transport,
    readonly runId: string,
    private readonly route: 'elt' | 'agent',
    private readonly options: RunnerOptions,
  ) {
    this.timers.push(setInterval(() => void this.flush().catch(() => undefined), options.flushIntervalMs ?? 1000));
    this.timers.push(setInterval(() => this.queueSample(), options.telemetryIntervalMs ?? 5000));
    for (const timer of this.timers) timer.unref();
  }

  /** POST /api/elt/runs (user token): a new run, pending. */
  static async create(transport: Transport, body: CreateRunBody, options: RunnerOptions = {}): Promise<RunReporter> {
    const key = `create-${randomUUID()}`;
    const created = await transport.call<{ id: string }>(() =>
      transport.write.POST('/api/elt/runs', { body: body as CreateRunDto, headers: { 'idempotency-key': key } }),
    );
    return new RunReporter(transport, created.id, 'elt', options);
  }

  /**
   * POST /api/agent/runs, then its claim (gateway token): a run of the token's own gateway, for a
   * runner that starts on its own. `idempotencyKey` names the run for good (say, your scheduler's
   * run id): a repeat gets the same run, whose claim then throws ConflictError if another won it.
   */
  static async createForGateway(
    transport: Transport,
    body: CreateRunBody,
    idempotencyKey: string = `create-${randomUUID()}`,
    options: RunnerOptions = {},
  ): Promise<RunReporter> {
    const created = await transport.call<{ id: string }>(() =>
      transport.write.POST('/api/agent/runs', { body: body as CreateRunDto, headers: { 'idempotency-key': idempotencyKey } }),
    );
    return RunReporter.claim(transport, created.id, options);
  }

  /** POST /api/agent/runs/:id/claim (gateway token): this agent's run, or ConflictError when another won. */
  static async claim(transport: Transport, runId: string, options: RunnerOptions = {}): Promise<RunReporter> {
    const claimId = randomUUID();
    await transport.call(() => transport.write.POST('/api/agent/runs/{id}/claim', { params: { path: { id: runId } }, body: { claimId } }));
    return new RunReporter(transport, runId, 'agent', options);
  }

  /** status running (and any other fields of the same event). */
  start(fields: Omit<PatchRunBody, 'status'> = {}): Promise<void> {
    return this.patch({ ...fields, status: 'running' });
  }

  log(level: LogLevel, message: string): void {
    this.lines.push({ level, message });
  }

  /** Shallow-merged into the run's summary with the next write. */
  setSummary(summary: TelemetrySummary): void {
    this.summary = { ...this.summary, ...summary };
  }

  /** The latest measurements; appended as a sample every telemetryIntervalMs while they change. */
  sample(values: Record<string, number>): void {
    this.latestSample = values;
    this.sampleSent = false;
  }

  /** Sends everything queued, in order; resolves when it is written. */
  flush(): Promise<void> {
    return this.enqueue(async () => {
      const first: PatchRunBody = {};
      if (this.summary) first.telemetrySummary = this.summary;
      this.summary = undefined;
      const lines = this.lines.splice(0);
      if (lines.length === 0 && first.telemetrySummary === undefined) return;
      const bodies: PatchRunBody[] = lines.length === 0 ? [first] : lines.map((line, i) => ({ ...(i === 0 ? first : {}), appendLog: line }));
      for (const [sent, body] of bodies.entries()) {
        try {
          await this.send(body);
        } catch (error) {
          // The rest of this flush is not sent either (lines stay in order): counted for finish().
          this.linesNotSent += lines.length - sent;
          throw error;
        }
      }
    });
  }

  /**
   * Flushes, then the final status (succeeded unless told otherwise); stops the timers. The status
   * is sent even when earlier writes failed, so the run never stays running for that; finish()
   * then throws RunReportIncompleteError. A failure of the status write itself is thrown as it is.
   */
  async finish(status: FinishStatus = 'succeeded', fields: Omit<PatchRunBody, 'status'> = {}): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.queueSample();
    await this.flush().catch(() => undefined);
    await this.patch({ ...fields, status });
    if (this.failure !== undefined) throw new RunReportIncompleteError(this.runId, this.linesNotSent, this.failure);
  }

  private patch(body: PatchRunBody): Promise<void> {
    return this.enqueue(() => this.send(body));
  }

  private queueSample(): void {
    if (this.sampleSent || !this.latestSample) return;
    const sample = this.latestSample;
    this.sampleSent = true;
    void this.enqueue(() => this.send({ appendTelemetrySample: sample as PatchRunBody['appendTelemetrySample'] })).catch(() => undefined);
  }

  /** One write at a time, in the order asked; a failure is reported and kept for finish(). */
  private enqueue(write: () => Promise<void>): Promise<void> {
    const next = this.chain.then(write);
    this.chain = next.catch((error: unknown) => {
      this.failure ??= error;
      this.options.onError?.(error);
    });
    return next;
  }

  private async send(body: PatchRunBody): Promise<void> {
    const headers = { 'idempotency-key': `${this.keyPrefix}-${++this.writes}` };
    const id = this.runId;
    await this.transport.call(() =>
      this.route === 'elt'
        ? this.transport.write.PATCH('/api/elt/runs/{id}', { params: { path: { id } }, body, headers })
        : this.transport.write.PATCH('/api/agent/runs/{id}', { params: { path: { id } }, body, headers }),
    );
  }
}
