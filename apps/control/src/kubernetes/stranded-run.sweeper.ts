import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ClickHouseStore, fromChDateTime, listClaimableRuns, RunRow } from '@runstream/clickhouse';
import { validateEvent } from '@runstream/events';
import { PeriodicTask } from '@runstream/runtime';
import { ControlEventLog } from '../events/control-event-log';
import { CONTROL_PLANE_ACTOR } from '../scheduler/scheduler';
import { LABEL, MANAGED_BY } from './cronjob-manifest';
import type { KubernetesClients, V1Job, V1Pod } from './kubernetes.client';
import type { KubernetesConfig } from './kubernetes.env';
import type { JobsForReconcile } from './kubernetes-job-row';
import { JOBS_FOR_RECONCILE, KUBERNETES_CLIENTS, KUBERNETES_CONFIG } from './kubernetes.tokens';
import { strandedReason, strandedRunEvent } from './stranded-runs';

/** Runs judged per organisation and sweep at most (oldest first); the rest wait for the next sweep. */
const MAX_RUNS_PER_ORG = 500;
const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

/**
 * Ends, as `error`, a run of this backend that no pod will ever claim (stranded-runs.ts): its
 * Job is gone, ended without a claim, or its pod cannot start. Nothing else would end it: the
 * lease covers claimed runs only. Every CONTROL_KUBERNETES_RESYNC_MS, over the pending unclaimed
 * runs targeted at CONTROL_KUBERNETES_GATEWAY of every organisation that has jobs. Several
 * control instances may sweep: the fold keeps the run `error` for a second one, which only
 * repeats the log line.
 */
@Injectable()
export class StrandedRunSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('StrandedRunSweeper');
  private readonly loop: PeriodicTask;
  /** Runs this instance ended that the read model still lists pending: not ended again meanwhile. */
  private readonly ended = new Set<string>();

  constructor(
    @Inject(KUBERNETES_CONFIG) private readonly config: KubernetesConfig,
    @Inject(KUBERNETES_CLIENTS) private readonly clients: KubernetesClients,
    @Inject(JOBS_FOR_RECONCILE) private readonly jobRows: JobsForReconcile,
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
    const orgs = [...new Set((await this.jobRows()).map((job) => job.org_id))];
    // Listed before the runs are read: a Job missing here existed for none of the runs read after.
    const selector = { labelSelector: `${LABEL.managedBy}=${MANAGED_BY}` };
    const [jobs, pods] = await Promise.all([this.clients.batch.listJobForAllNamespaces(selector), this.clients.core.listPodForAllNamespaces(selector)]);
    const jobsByName = new Map(jobs.items.map((job): [string, V1Job] => [`${job.metadata?.namespace}/${job.metadata?.name}`, job]));
    const podsByJob = groupPods(pods.items);
    const ended: string[] = [];
    const listed = new Set<string>();
    for (const org of orgs) {
      const runs = await listClaimableRuns(this.store, org, this.config.gateway, MAX_RUNS_PER_ORG);
      for (const run of runs) {
        listed.add(run.id);
        const job = `${run.namespace}/${run.job_name}`;
        const reason = strandedReason(
          { job, createdAt: new Date(fromChDateTime(run.created_at)) },
          jobsByName.get(job),
          podsByJob.get(job) ?? [],
          now,
          this.config.podStartTimeoutMs,
        );
        if (reason && !this.ended.has(run.id) && (await this.end(run, reason, now))) ended.push(run.id);
      }
    }
    // Once the read model shows a run ended, it is no longer listed and need not be remembered.
    for (const id of this.ended) if (!listed.has(id)) this.ended.delete(id);
    return ended;
  }

  private async end(run: RunRow, summary: string, now: Date): Promise<boolean> {
    const event = strandedRunEvent(run, summary, now, CONTROL_PLANE_ACTOR);
    const problem = validateEvent(event);
    if (problem) {
      this.logger.error(`run ${run.id}: stranded, but the event is invalid, not ending it: ${problem}`);
      return false;
    }
    try {
      await this.log.appendRunEvent(event);
    } catch (error) {
      this.logger.warn(`run ${run.id}: stranded, not ended yet (the next sweep retries): ${String(error)}`);
      return false;
    }
    this.ended.add(run.id);
    this.logger.warn(`run ${run.id}: ${summary}; ended error`);
    return true;
  }
}

function groupPods(pods: V1Pod[]): Map<string, V1Pod[]> {
  const byJob = new Map<string, V1Pod[]>();
  for (const pod of pods) {
    const key = `${pod.metadata?.namespace}/${pod.metadata?.labels?.[JOB_NAME_LABEL]}`;
    byJob.set(key, [...(byJob.get(key) ?? []), pod]);
  }
  return byJob;
}
