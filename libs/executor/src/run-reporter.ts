import type { LogLevel, TelemetrySummary } from '@runstream/events';
import { IngestClient, IngestUnavailableError } from './ingest-client';
import { LogBuffer } from './log-batch';
import { ProgressUpdate } from './progress';

export interface ExecutorLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type FinalStatus = 'succeeded' | 'failed' | 'cancelled';

export interface ReporterOptions {
  executorId: string;
  flushMs: number;
  heartbeatMs: number;
  logger: ExecutorLogger;
  /** Epoch ms until which the final report keeps retrying: Infinity while the agent runs, bounded once it stops. */
  finalDeadline: () => number;
  /** Longest the final report is retried from its first attempt (default: no bound but finalDeadline). */
  finalRetryMs?: number;
  /** The server refused `running` because the run is already terminal (cancelled or swept): stop the program. */
  onClosedByServer?: (status: string) => void;
}

/** How long an intermediate PATCH (logs, heartbeat) keeps retrying before it is dropped. */
const PATCH_RETRY_MS = 60_000;

interface PatchBody {
  status?: string;
  startedAt?: string;
  finishedAt?: string;
  errorSummary?: string;
  appendLog?: { level: LogLevel; message: string };
  telemetrySummary?: TelemetrySummary;
  appendTelemetrySample?: Record<string, number>;
}

/**
 * Everything the agent tells ingest about one run, through PATCH /api/agent/runs/:id with one
 * request in flight at a time (so the run's events keep their order and a chatty program
 * never floods ingest): `running`, output batched per AGENT_LOG_FLUSH_MS, progress, a
 * heartbeat every AGENT_HEARTBEAT_MS (a telemetry sample with elapsedSeconds and the summary's
 * agentHeartbeatAt, which keeps the run's updated_at moving for the lease sweeper), and the
 * final status once every buffered line went out. Each PATCH has its own Idempotency-Key,
 * reused by its retries.
 */
export class RunReporter {
  private readonly logs = new LogBuffer();
  private readonly began = Date.now();
  private summary: TelemetrySummary = {};
  private sample?: Record<string, number>;
  private startBody?: PatchBody;
  private finalBody?: PatchBody;
  private finalSent?: () => void;
  private progress?: number;
  private inFlight = false;
  private gone = false;
  private seq = 0;
  private flushTimer?: NodeJS.Timeout;
  private readonly heartbeatTimer: NodeJS.Timeout;

  constructor(
    private readonly client: IngestClient,
    private readonly runId: string,
    private readonly options: ReporterOptions,
  ) {
    this.heartbeatTimer = setInterval(() => this.heartbeat(), options.heartbeatMs);
  }

  started(at: Date): void {
    this.startBody = { status: 'running', startedAt: at.toISOString() };
    this.kick();
  }

  line(level: LogLevel, text: string): void {
    this.logs.push(level, text);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      this.logs.seal();
      this.kick();
    }, this.options.flushMs);
  }

  progressed(update: ProgressUpdate): void {
    if (update.progress !== undefined) this.progress = update.progress;
    this.summarize({ ...update });
  }

  /** Merged into the next PATCH's telemetrySummary. */
  summarize(values: TelemetrySummary): void {
    Object.assign(this.summary, values);
  }

  /** Sends what is buffered, then the final status; resolves once ingest took it (or retries ran out). */
  finish(status: FinalStatus, errorSummary?: string): Promise<void> {
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.logs.seal();
    this.sample = this.measure();
    const done = new Promise<void>((resolve) => (this.finalSent = resolve));
    this.finalBody = { status, finishedAt: new Date().toISOString(), ...(errorSummary ? { errorSummary } : {}) };
    if (this.gone) this.finalSent?.();
    this.kick();
    return done;
  }

  private heartbeat(): void {
    this.sample = this.measure();
    this.summary.agentHeartbeatAt = new Date().toISOString();
    this.kick();
  }

  private measure(): Record<string, number> {
    const sample: Record<string, number> = { elapsedSeconds: Math.round((Date.now() - this.began) / 100) / 10 };
    if (this.progress !== undefined) sample.progress = this.progress;
    return sample;
  }

  private kick(): void {
    if (!this.inFlight) void this.pump();
  }

  private async pump(): Promise<void> {
    this.inFlight = true;
    try {
      for (let body = this.nextBody(); body; body = this.nextBody()) {
        const isFinal = body === this.finalBody;
        if (isFinal) this.finalBody = undefined;
        try {
          await this.send(body, isFinal);
        } catch (error) {
          // A bug here must not kill the agent (pump runs detached) nor block the final report.
          this.options.logger.error(`run ${this.runId}: report failed: ${error instanceof Error ? error.message : String(error)}`);
        }
        if (isFinal) this.finalSent?.();
      }
    } finally {
      this.inFlight = false;
    }
    if (this.gone) this.finalSent?.();
  }

  /** The next PATCH: `running` first, then one log message with whatever telemetry waits, the final status last. */
  private nextBody(): PatchBody | undefined {
    if (this.gone) return undefined;
    const body: PatchBody = this.startBody ?? {};
    this.startBody = undefined;
    const message = this.logs.next();
    if (message) body.appendLog = message;
    if (Object.keys(this.summary).length > 0) body.telemetrySummary = this.summary;
    this.summary = {};
    if (this.sample) body.appendTelemetrySample = this.sample;
    this.sample = undefined;
    if (this.finalBody && body.status === undefined && !this.logs.hasMessages) return Object.assign(this.finalBody, body);
    return Object.keys(body).length > 0 ? body : undefined;
  }

  private async send(body: PatchBody, isFinal: boolean): Promise<void> {
    const sentAt = Date.now();
    const retryMs = isFinal ? (this.options.finalRetryMs ?? Infinity) : PATCH_RETRY_MS;
    const deadline = () => Math.min(sentAt + retryMs, this.options.finalDeadline());
    const key = `${this.options.executorId}:${this.runId}:${++this.seq}`;
    let answer;
    try {
      answer = await this.client.request<{ status?: string; message?: string }>('PATCH', `/api/agent/runs/${encodeURIComponent(this.runId)}`, body, {
        idempotencyKey: key,
        deadline,
      });
    } catch (error) {
      if (!(error instanceof IngestUnavailableError)) throw error;
      this.options.logger.warn(`run ${this.runId}: gave up on a ${isFinal ? 'final status' : 'progress'} report (${error.last})`);
      return;
    }
    if (answer.status === 202) return;
    if (answer.status === 409 && body.status) {
      const current = answer.body?.status ?? 'terminal';
      this.options.logger.warn(`run ${this.runId}: already ${current} on the server; ${body.status} not recorded`);
      if (body.status === 'running') this.options.onClosedByServer?.(current);
      // Logs and telemetry may still be added to a terminal run.
      const { status: _s, startedAt: _b, finishedAt: _f, errorSummary: _e, ...rest } = body;
      if (Object.keys(rest).length > 0) await this.send(rest, false);
      return;
    }
    if ((answer.status === 400 || answer.status === 413) && body.status) {
      // A line or summary ingest refuses must not cost the run its status: the status goes alone.
      const { status, startedAt, finishedAt } = body;
      const statusOnly: PatchBody = { status, ...(startedAt ? { startedAt } : {}), ...(finishedAt ? { finishedAt } : {}) };
      if (Object.keys(body).length > Object.keys(statusOnly).length) {
        this.options.logger.error(`run ${this.runId}: report refused with ${answer.status}: ${answer.body?.message ?? ''}; sending its status alone`);
        await this.send(statusOnly, isFinal);
        return;
      }
    }
    if (answer.status === 404) {
      this.gone = true;
      this.options.logger.error(`run ${this.runId}: ingest no longer knows this run for our gateway (404); reports stop`);
      return;
    }
    this.options.logger.error(`run ${this.runId}: report refused with ${answer.status}: ${answer.body?.message ?? ''}`);
  }
}
