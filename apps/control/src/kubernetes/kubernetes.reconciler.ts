import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { cronJobDrift } from './cronjob-drift';
import { ANNOTATION, desiredCronJob, jobFromCronJob, LABEL, OURS_SELECTOR } from './cronjob-manifest';
import { apiStatus, type KubernetesClients, type V1CronJob } from './kubernetes.client';
import type { KubernetesConfig } from './kubernetes.env';
import type { ArgvParser, JobsForReconcile, KubernetesJobRow } from './kubernetes-job-row';
import { dnsLabel } from './kubernetes-names';
import { NamespaceEnsurer } from './namespace-ensurer';
import { PeriodicTask } from '@runstream/runtime';
import { ARGV_PARSER, JOBS_FOR_RECONCILE, KUBERNETES_CLIENTS, KUBERNETES_CONFIG } from './kubernetes.tokens';

export interface ReconcileReport {
  created: string[];
  updated: { name: string; fields: string[] }[];
  deleted: string[];
  failed: { name: string; error: string }[];
}

export interface TriggeredJob {
  namespace: string;
  name: string;
}

const ref = (c: V1CronJob) => `${c.metadata?.namespace}/${c.metadata?.name}`;
const jobIdOf = (c: V1CronJob) => c.metadata?.annotations?.[ANNOTATION.jobId] ?? c.metadata?.labels?.[LABEL.jobId] ?? '';
const truthy = (flag: number | boolean) => flag === true || flag === 1;

/** How often, and how far apart, a recreated CronJob's create is tried while Kubernetes still holds the old one's name. */
const RECREATE_ATTEMPTS = 10;
const RECREATE_WAIT_MS = 500;

/** A report for a pass, or for work whose outcome the caller reports itself (or not at all). */
const newReport = (): ReconcileReport => ({ created: [], updated: [], deleted: [], failed: [] });

/** A change after which the CronJob must not fire a tick it missed: a resume, a new schedule or time zone. */
function startsScheduleAfresh(fields: readonly string[], desired: V1CronJob): boolean {
  return fields.includes('spec.schedule') || fields.includes('spec.timeZone') || (fields.includes('spec.suspend') && desired.spec?.suspend !== true);
}

/**
 * Level-based: every pass lists every job and every CronJob we manage and makes the second match
 * the first (create, replace drifted, delete orphaned). Nothing depends on having seen a change,
 * so a CronJob edited or deleted behind our back is repaired at the next pass.
 */
@Injectable()
export class KubernetesReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(KubernetesReconciler.name);
  private readonly namespaces: NamespaceEnsurer;
  private current?: Promise<ReconcileReport>;
  private next?: Promise<ReconcileReport>;
  private readonly loop: PeriodicTask;

  constructor(
    @Inject(KUBERNETES_CONFIG) private readonly config: KubernetesConfig,
    @Inject(KUBERNETES_CLIENTS) private readonly clients: KubernetesClients,
    @Inject(JOBS_FOR_RECONCILE) private readonly listJobs: JobsForReconcile,
    @Inject(ARGV_PARSER) private readonly parseArgv: ArgvParser,
  ) {
    this.namespaces = new NamespaceEnsurer(clients.core);
    this.loop = new PeriodicTask(
      () => this.reconcileNow(),
      () => config.resyncMs,
      (error) => this.logger.warn(`reconcile pass failed: ${String(error)}`),
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start(0);
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.stop();
    await Promise.allSettled([this.current, this.next]);
  }

  /** One pass now; while one runs, a single further pass is queued and shared by every caller. */
  reconcileNow(): Promise<ReconcileReport> {
    if (!this.current) return this.start();
    this.next ??= this.current
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.start();
      });
    return this.next;
  }

  /**
   * A one-off Job for a run (`kubectl create job --from=cronjob/…`): the job's current template,
   * named after the run's job_name (kubernetesJobNameFor gave it), with RUNSTREAM_RUN_ID. Creates the
   * CronJob first when the reconciler has not yet. Retrying with the same run id is harmless.
   */
  async trigger(job: KubernetesJobRow, runId: string, jobName: string, argv?: string[]): Promise<TriggeredJob> {
    const desired = this.desired(job);
    const namespace = desired.metadata!.namespace!;
    const owner = await this.readOrCreate(desired);
    const body = jobFromCronJob({ ...desired, metadata: { ...desired.metadata, uid: owner.metadata?.uid } }, dnsLabel(jobName), runId, argv);
    const name = body.metadata!.name!;
    try {
      await this.clients.batch.createNamespacedJob({ namespace, body });
    } catch (error) {
      if (apiStatus(error) !== 409) throw error;
      const existing = await this.clients.batch.readNamespacedJob({ name, namespace });
      if (existing.metadata?.annotations?.[ANNOTATION.runId] !== runId) throw error;
    }
    return { namespace, name };
  }

  private start(): Promise<ReconcileReport> {
    const pass: Promise<ReconcileReport> = this.pass().finally(() => {
      if (this.current === pass) this.current = undefined;
    });
    this.current = pass;
    return pass;
  }

  private desired(job: KubernetesJobRow): V1CronJob {
    return desiredCronJob(job, this.config, this.parseArgv);
  }

  private async pass(): Promise<ReconcileReport> {
    const report = newReport();
    const [rows, list] = await Promise.all([this.listJobs(), this.clients.batch.listCronJobForAllNamespaces({ labelSelector: OURS_SELECTOR })]);
    const actualByJob = new Map<string, V1CronJob[]>();
    for (const cronJob of list.items) actualByJob.set(jobIdOf(cronJob), [...(actualByJob.get(jobIdOf(cronJob)) ?? []), cronJob]);
    const live = rows.filter((row) => !truthy(row.deleted));
    const ensured = new Set<string>();

    for (const row of live) {
      await this.attempt(report, `${row.org_id}/${row.id}`, async () => {
        const desired = this.desired(row);
        const existing = actualByJob.get(row.id) ?? [];
        const match = existing.find((c) => ref(c) === ref(desired));
        // A renamed job (or a moved organisation, or a naming rule changed by an upgrade) leaves its
        // old CronJob behind; the job lives on, so the Jobs it started may finish (Orphan).
        for (const stale of existing.filter((c) => c !== match)) await this.remove(stale, report, 'Orphan');
        if (!match) {
          const namespace = desired.metadata!.namespace!;
          if (!ensured.has(namespace)) await this.namespaces.ensure(namespace);
          ensured.add(namespace);
          await this.create(desired, report);
          return;
        }
        const fields = cronJobDrift(desired, match);
        if (fields.length === 0) return;
        if (startsScheduleAfresh(fields, desired)) {
          await this.recreate(match, desired);
        } else {
          const body = { ...desired, metadata: { ...desired.metadata, resourceVersion: match.metadata?.resourceVersion } };
          await this.clients.batch.replaceNamespacedCronJob({ name: body.metadata.name!, namespace: body.metadata.namespace!, body });
        }
        report.updated.push({ name: ref(desired), fields });
      });
    }

    const liveIds = new Set(live.map((row) => row.id));
    for (const [jobId, cronJobs] of actualByJob) {
      if (liveIds.has(jobId)) continue;
      for (const cronJob of cronJobs) await this.attempt(report, ref(cronJob), () => this.remove(cronJob, report));
    }
    if (report.created.length + report.updated.length + report.deleted.length + report.failed.length > 0) {
      this.logger.log(
        `reconciled: ${report.created.length} created, ${report.updated.length} updated, ${report.deleted.length} deleted, ${report.failed.length} failed`,
      );
    }
    return report;
  }

  private async attempt(report: ReconcileReport, name: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      // One bad job (or a lost race with another instance: 409) waits for the next pass; the others go on.
      report.failed.push({ name, error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async create(desired: V1CronJob, report: ReconcileReport): Promise<V1CronJob> {
    const created = await this.clients.batch.createNamespacedCronJob({ namespace: desired.metadata!.namespace!, body: desired });
    report.created.push(ref(desired));
    return created;
  }

  private async readOrCreate(desired: V1CronJob): Promise<V1CronJob> {
    const namespace = desired.metadata!.namespace!;
    try {
      return await this.clients.batch.readNamespacedCronJob({ name: desired.metadata!.name!, namespace });
    } catch (error) {
      if (apiStatus(error) !== 404) throw error;
    }
    await this.namespaces.ensure(namespace);
    try {
      return await this.create(desired, newReport());
    } catch (error) {
      if (apiStatus(error) !== 409) throw error;
      return this.clients.batch.readNamespacedCronJob({ name: desired.metadata!.name!, namespace });
    }
  }

  /**
   * Replaced by a new CronJob, which has no lastScheduleTime: Kubernetes' controller would otherwise
   * start, at once, the latest tick missed while suspended or due under the new schedule since the
   * last run (within startingDeadlineSeconds). The Jobs it started run on (Orphan). Kubernetes may
   * take a moment to let the name go: the create is tried again for a few seconds, then left to
   * the next pass.
   */
  private async recreate(existing: V1CronJob, desired: V1CronJob): Promise<void> {
    await this.remove(existing, newReport(), 'Orphan');
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.create(desired, newReport());
        return;
      } catch (error) {
        if (apiStatus(error) !== 409 || attempt >= RECREATE_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, RECREATE_WAIT_MS));
      }
    }
  }

  /** Background: the Jobs it started (and their pods) go with it; Orphan: they run on and stay. */
  private async remove(cronJob: V1CronJob, report: ReconcileReport, propagationPolicy: 'Background' | 'Orphan' = 'Background'): Promise<void> {
    try {
      await this.clients.batch.deleteNamespacedCronJob({
        name: cronJob.metadata!.name!,
        namespace: cronJob.metadata!.namespace!,
        propagationPolicy,
      });
      report.deleted.push(ref(cronJob));
    } catch (error) {
      if (apiStatus(error) !== 404) throw error;
    }
  }
}
