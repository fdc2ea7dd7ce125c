import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ClickHouseStore, findRunLocation } from '@runstream/clickhouse';
import { validateEvent } from '@runstream/events';
import { PeriodicTask } from '@runstream/runtime';
import { ControlEventLog } from '../events/control-event-log';
import { CONTROL_PLANE_ACTOR } from '../scheduler/scheduler';
import { LABEL, MANAGED_BY } from './cronjob-manifest';
import type { KubernetesClients } from './kubernetes.client';
import type { KubernetesConfig } from './kubernetes.env';
import { KUBERNETES_CLIENTS, KUBERNETES_CONFIG } from './kubernetes.tokens';
import { isPendingUnclaimed, StrandedRun, strandedRunEvent, strandedRuns } from './stranded-runs';

/** Run ids remembered as ended by this instance. */
const MAX_REMEMBERED = 10_000;

/**
 * Ends, as `error`, a triggered run that no pod will ever claim (stranded-runs.ts): its Job
 * failed first, or its pod cannot start. Nothing else would end it: the lease covers claimed
 * runs only. Every CONTROL_KUBERNETES_RESYNC_MS. Several control instances may sweep: the fold
 * keeps the run `error` for a second one, which only repeats the log line.
 */
@Injectable()
export class StrandedRunSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('StrandedRunSweeper');
  private readonly loop: PeriodicTask;
  /** Runs this instance ended, or found claimed or finished: never to be ended here, so not looked up again. */
  private readonly settled = new Set<string>();

  constructor(
    @Inject(KUBERNETES_CONFIG) private readonly config: KubernetesConfig,
    @Inject(KUBERNETES_CLIENTS) private readonly clients: KubernetesClients,
    private readonly store: ClickHouseStore,
    private readonly log: ControlEventLog,
  ) {
    this.loop = new PeriodicTask(
      () => this.sweep(),
      () => config.resyncMs,
      (error) => this.logger.warn(`sweep of stranded Kubernetes runs failed: ${String(error)}`),
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One sweep: the ids of the runs it ended. */
  async sweep(now: Date = new Date()): Promise<string[]> {
    const [jobs, pods] = await Promise.all([
      this.clients.batch.listJobForAllNamespaces({ labelSelector: `${LABEL.managedBy}=${MANAGED_BY},${LABEL.runId}` }),
      this.clients.core.listPodForAllNamespaces({ labelSelector: `${LABEL.managedBy}=${MANAGED_BY}` }),
    ]);
    const ended: string[] = [];
    for (const stranded of strandedRuns(jobs.items, pods.items, now, this.config.podStartTimeoutMs)) {
      if (this.settled.has(stranded.runId)) continue;
      try {
        if (await this.end(stranded, now)) ended.push(stranded.runId);
      } catch (error) {
        this.logger.warn(`run ${stranded.runId}: stranded, not ended yet (the next sweep retries): ${String(error)}`);
      }
    }
    return ended;
  }

  private async end(stranded: StrandedRun, now: Date): Promise<boolean> {
    const run = await findRunLocation(this.store, stranded.orgId, stranded.runId);
    if (!run) return false;
    if (!isPendingUnclaimed(run)) {
      this.settle(stranded.runId);
      return false;
    }
    const event = strandedRunEvent(run, stranded, now, CONTROL_PLANE_ACTOR);
    const problem = validateEvent(event);
    if (problem) throw new Error(`the event is invalid: ${problem}`);
    await this.log.appendRunEvent(event);
    this.settle(stranded.runId);
    this.logger.warn(`run ${stranded.runId}: ${stranded.summary}; ended error`);
    return true;
  }

  private settle(runId: string): void {
    this.settled.add(runId);
    if (this.settled.size > MAX_REMEMBERED) this.settled.delete(this.settled.values().next().value as string);
  }
}
