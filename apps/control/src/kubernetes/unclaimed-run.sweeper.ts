import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ClickHouseStore, findRunLocation } from '@runstream/clickhouse';
import { validateEvent } from '@runstream/events';
import { PeriodicTask } from '@runstream/runtime';
import { ControlEventLog } from '../events/control-event-log';
import { CONTROL_PLANE_ACTOR } from '../scheduler/scheduler';
import { LABEL, MANAGED_BY } from './cronjob-manifest';
import { endsUnclaimed, failedTriggeredJobs, unclaimedRunFailedEvent } from './failed-job-runs';
import type { KubernetesClients } from './kubernetes.client';
import type { KubernetesConfig } from './kubernetes.env';
import { KUBERNETES_CLIENTS, KUBERNETES_CONFIG } from './kubernetes.tokens';

/**
 * Ends, as `error`, a triggered run whose Kubernetes Job failed while the run was still pending
 * and unclaimed: its pod never started the runner, or died before claiming, so nothing else
 * would ever end it. Every CONTROL_KUBERNETES_RESYNC_MS. Several control instances may sweep:
 * a second `error` for an ended run changes nothing.
 */
@Injectable()
export class UnclaimedRunSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('UnclaimedRunSweeper');
  private readonly loop: PeriodicTask;
  /** Runs this instance ended: not ended again while the read model catches up. */
  private readonly ended = new Set<string>();

  constructor(
    @Inject(KUBERNETES_CONFIG) config: KubernetesConfig,
    @Inject(KUBERNETES_CLIENTS) private readonly clients: KubernetesClients,
    private readonly store: ClickHouseStore,
    private readonly log: ControlEventLog,
  ) {
    this.loop = new PeriodicTask(
      () => this.sweep(),
      () => config.resyncMs,
      (error) => this.logger.warn(`sweep of failed Kubernetes Jobs failed: ${String(error)}`),
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
    const listed = await this.clients.batch.listJobForAllNamespaces({ labelSelector: `${LABEL.managedBy}=${MANAGED_BY},${LABEL.runId}` });
    const ended: string[] = [];
    for (const job of failedTriggeredJobs(listed.items)) {
      if (this.ended.has(job.runId)) continue;
      const run = await findRunLocation(this.store, job.orgId, job.runId);
      if (!run || !endsUnclaimed(run)) continue;
      const event = unclaimedRunFailedEvent(run, job, now, CONTROL_PLANE_ACTOR);
      const problem = validateEvent(event);
      if (problem) {
        this.logger.error(`run ${job.runId}: its Job failed but the event is invalid, not ending it: ${problem}`);
        continue;
      }
      await this.log.appendRunEvent(event);
      this.ended.add(job.runId);
      if (this.ended.size > 10_000) this.ended.delete(this.ended.values().next().value as string);
      this.logger.warn(`run ${job.runId}: ${event.payload.error_summary}; ended error`);
      ended.push(job.runId);
    }
    return ended;
  }
}
