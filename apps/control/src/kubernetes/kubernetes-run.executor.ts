import { Inject, Injectable, Logger } from '@nestjs/common';
import { JobRow } from '@runstream/clickhouse';
import { RunExecutor, RunPlacement } from '../runs/run-executor';
import type { KubernetesConfig } from './kubernetes.env';
import { kubernetesJobNameFor, namespaceFor } from './kubernetes-names';
import { publicKubernetesError } from './kubernetes.client';
import { KubernetesReconciler } from './kubernetes.reconciler';
import { KUBERNETES_CONFIG } from './kubernetes.tokens';

/** Longest a Jobs API write waits for the reconcile pass it started. */
export const RECONCILE_ON_WRITE_WAIT_MS = 5_000;

/**
 * Runs as Kubernetes Jobs: the run is named like the Job that executes it, in its
 * organisation's namespace, targeted at CONTROL_KUBERNETES_GATEWAY, whose token the pod holds to
 * claim and report it; once the run exists, the Job is created from the job's CronJob with the
 * run id (docs/kubernetes.md).
 */
@Injectable()
export class KubernetesRunExecutor implements RunExecutor {
  private readonly logger = new Logger(KubernetesRunExecutor.name);

  constructor(
    @Inject(KUBERNETES_CONFIG) private readonly config: KubernetesConfig,
    private readonly reconciler: KubernetesReconciler,
  ) {}

  place(orgId: string, projectId: string, job: JobRow, runJobName: string, runId: string): RunPlacement {
    return {
      target_gateway: this.config.gateway,
      namespace: namespaceFor(this.config.namespacePrefix, orgId),
      cronjob_name: job.name,
      job_name: kubernetesJobNameFor(runJobName, runId),
    };
  }

  /** A refusal reaches the run's error_summary and the trigger's answer: told as publicKubernetesError, logged whole. */
  async launch(job: JobRow, runId: string, placement: RunPlacement, argv: string[]): Promise<void> {
    try {
      await this.reconciler.trigger(job, runId, placement.job_name, argv);
    } catch (error) {
      this.logger.warn(`run ${runId} of job ${job.id}: the Kubernetes API refused its Job: ${error instanceof Error ? error.message : String(error)}`);
      throw new Error(publicKubernetesError(error), { cause: error });
    }
  }

  /**
   * A reconcile pass before the Jobs API answers, so a disabled, deleted or rescheduled job's
   * CronJob follows at once rather than at the next resync. The answer waits at most
   * RECONCILE_ON_WRITE_WAIT_MS (an API server that stops answering must not hold every write);
   * the pass goes on after it. If the API server cannot be reached the change stands (it is in
   * the event log) and the periodic pass applies it.
   */
  async definitionsChanged(): Promise<void> {
    const pass = this.reconciler.reconcileNow().then(
      (report) => {
        for (const { name, error } of report.failed) this.logger.warn(`CronJob ${name} not reconciled after a job change: ${error}`);
        return true;
      },
      (error: unknown) => {
        this.logger.warn(`reconcile after a job change failed, the next pass retries: ${String(error)}`);
        return true;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), RECONCILE_ON_WRITE_WAIT_MS)));
    const finished = await Promise.race([pass, waited]);
    clearTimeout(timer);
    if (!finished) this.logger.warn(`reconcile after a job change still running after ${RECONCILE_ON_WRITE_WAIT_MS} ms; answered without it`);
  }
}
