import { modelRegressions, slaBreaches, Windows } from './checks';
import { exportChanges, ExportOptions, ExportPage } from './exporter';
import { RegressionReport, SlaReport } from './models';
import { streamRun, RunStreamEvent, RunStreamOptions } from './run-stream';
import { CreateRunBody, RunnerOptions, RunReporter } from './runner';
import { RunstreamOptions, Transport } from './transport';

/** The SDK's entry point: one token, the write and read APIs. */
export class Runstream {
  readonly transport: Transport;

  constructor(options: RunstreamOptions) {
    this.transport = new Transport(options);
  }

  /** A new run (user token), reported through the returned RunReporter. */
  createRun(body: CreateRunBody, options?: RunnerOptions): Promise<RunReporter> {
    return RunReporter.create(this.transport, body, options);
  }

  /**
   * A run of this gateway (gateway token), created and claimed: for a runner that starts on its
   * own. The same `idempotencyKey` always names the same run.
   */
  createGatewayRun(body: CreateRunBody, idempotencyKey?: string, options?: RunnerOptions): Promise<RunReporter> {
    return RunReporter.createForGateway(this.transport, body, idempotencyKey, options);
  }

  /** Claims a run targeted at this gateway (gateway token). */
  claimRun(runId: string, options?: RunnerOptions): Promise<RunReporter> {
    return RunReporter.claim(this.transport, runId, options);
  }

  /** Pages of the change feed from a stored cursor (or the beginning). */
  changes(options?: ExportOptions): AsyncGenerator<ExportPage> {
    return exportChanges(this.transport, options);
  }

  /** One run live (its status, log lines and samples) until it ends; resumes by itself after a dropped connection. */
  streamRun(runId: string, options?: RunStreamOptions): AsyncGenerator<RunStreamEvent> {
    return streamRun(this.transport, runId, options);
  }

  sla(projectId: string, thresholdSeconds: number, days?: number, cronjobName?: string): Promise<SlaReport> {
    return slaBreaches(this.transport, projectId, thresholdSeconds, days, cronjobName);
  }

  regressions(projectId: string, windows: Windows, minChange?: number): Promise<RegressionReport> {
    return modelRegressions(this.transport, projectId, windows, minChange);
  }
}
