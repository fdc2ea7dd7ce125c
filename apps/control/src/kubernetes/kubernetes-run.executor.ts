import { Inject, Injectable } from '@nestjs/common';
import { JobRow } from '@runstream/clickhouse';
import { RunExecutor, RunPlacement } from '../runs/run-executor';
import type { KubernetesConfig } from './kubernetes.env';
import { cronJobNameFor, kubernetesJobNameFor, namespaceFor } from './kubernetes-names';
import { KubernetesReconciler } from './kubernetes.reconciler';
import { KUBERNETES_CONFIG } from './kubernetes.tokens';

/**
 * Runs as Kubernetes Jobs: the run is named like the Job that executes it, in its
 * organisation's namespace, targeted at no gateway (no local agent may claim it); once the run
 * exists, the Job is created from the job's CronJob with the run id (docs/kubernetes.md).
 */
@Injectable()
export class KubernetesRunExecutor implements RunExecutor {
  constructor(
    @Inject(KUBERNETES_CONFIG) private readonly config: KubernetesConfig,
    private readonly reconciler: KubernetesReconciler,
  ) {}

  place(orgId: string, projectId: string, job: JobRow, runJobName: string): RunPlacement {
    return {
      target_gateway: '',
      namespace: namespaceFor(this.config.namespacePrefix, orgId),
      cronjob_name: cronJobNameFor(projectId, job.name),
      job_name: kubernetesJobNameFor(runJobName),
    };
  }

  async launch(job: JobRow, runId: string, placement: RunPlacement, argv: string[]): Promise<void> {
    await this.reconciler.trigger(job, runId, placement.job_name, argv);
  }
}
