import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ClickHouseStore, findRunLocation, listUnclaimedPlacedRuns, toChDateTime, UnclaimedRun } from '@runstream/clickhouse';
import { RunEventEnvelope, validateEvent } from '@runstream/events';
import { PeriodicTask } from '@runstream/runtime';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ControlEventLog } from '../events/control-event-log';
import { CONTROL_PLANE_ACTOR } from '../scheduler/scheduler';
import { LABEL, MANAGED_BY } from './cronjob-manifest';
import type { KubernetesClients, V1Job } from './kubernetes.client';
import type { KubernetesConfig } from './kubernetes.env';
import { namespaceFor } from './kubernetes-names';
import { KUBERNETES_CLIENTS, KUBERNETES_CONFIG } from './kubernetes.tokens';
import { jobKey, podsByJob, STRANDED_GRACE_MS, strandedClaimEvent, strandedReason, strandedRunEvent } from './stranded-runs';

/** Runs judged per sweep at most, oldest first; the rest wait for the next sweep. */
const MAX_PER_SWEEP = 500;
/** How long the sweep waits for the read model to show which claim on a run won. */
const CLAIM_DECISION_MS = 10_000;
const CLAIM_POLL_MS = 50;

/**
 * Ends, as `error`, a run this backend placed that no pod will ever claim (stranded-runs.ts):
 * its Job does not exist, ended without a claim, or cannot start a pod. Nothing else would end
 * it: the lease covers claimed runs only. Every CONTROL_KUBERNETES_RESYNC_MS.
 *
 * The sweep first claims the run itself (as `control-plane`) and ends it only if that claim
 * won: a pod whose claim came first keeps its run, however late the read model showed it, and
 * of several control instances sweeping at once exactly one ends the run.
 */
@Injectable()
export class StrandedRunSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('StrandedRunSweeper');
  private readonly loop: PeriodicTask;

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
    const before = toChDateTime(new Date(now.getTime() - STRANDED_GRACE_MS).toISOString());
    const runs = (await listUnclaimedPlacedRuns(this.store, this.config.gateway, before, MAX_PER_SWEEP)).filter(
      // Only runs in their organisation's namespace: another runner of the gateway may have named any.
      (run) => run.namespace === namespaceFor(this.config.namespacePrefix, run.org_id),
    );
    if (runs.length === 0) return [];
    const selector = { labelSelector: `${LABEL.managedBy}=${MANAGED_BY}` };
    const [jobs, pods] = await Promise.all([this.clients.batch.listJobForAllNamespaces(selector), this.clients.core.listPodForAllNamespaces(selector)]);
    const jobsByKey = new Map(jobs.items.map((job): [string, V1Job] => [jobKey(job.metadata?.namespace, job.metadata?.name), job]));
    const podsOf = podsByJob(pods.items);
    const ended: string[] = [];
    for (const run of runs) {
      const key = jobKey(run.namespace, run.job_name);
      const reason = strandedReason(key, jobsByKey.get(key), podsOf.get(key) ?? [], now, this.config.podStartTimeoutMs);
      if (!reason) continue;
      try {
        if (await this.end(run, reason, now)) ended.push(run.id);
      } catch (error) {
        this.logger.warn(`run ${run.id}: stranded (${reason}), not ended yet; the next sweep retries: ${String(error)}`);
      }
    }
    return ended;
  }

  private async end(run: UnclaimedRun, summary: string, now: Date): Promise<boolean> {
    const claimId = `${CONTROL_PLANE_ACTOR}-${randomUUID()}`;
    await this.append(strandedClaimEvent(run, claimId, now, CONTROL_PLANE_ACTOR));
    const winner = await this.claimWinner(run);
    if (winner !== claimId) {
      this.logger.log(`run ${run.id}: looked stranded, but ${winner === undefined ? 'its claim is not decided yet' : 'another claim came first'}; left alone`);
      return false;
    }
    await this.append(strandedRunEvent(run, summary, now, CONTROL_PLANE_ACTOR));
    this.logger.warn(`run ${run.id}: ${summary}; ended error`);
    return true;
  }

  private async append(event: RunEventEnvelope): Promise<void> {
    const problem = validateEvent(event);
    if (problem) throw new Error(`the event is invalid: ${problem}`);
    await this.log.appendRunEvent(event);
  }

  /** The claim id that won the run, once the read model shows one (undefined: not within CLAIM_DECISION_MS). */
  private async claimWinner(run: UnclaimedRun): Promise<string | undefined> {
    const deadline = Date.now() + CLAIM_DECISION_MS;
    while (Date.now() < deadline) {
      const current = await findRunLocation(this.store, run.org_id, run.id);
      if (current && current.claim_id !== '') return current.claim_id;
      if (current && current.status !== 'pending') return '';
      await sleep(CLAIM_POLL_MS);
    }
    return undefined;
  }
}
