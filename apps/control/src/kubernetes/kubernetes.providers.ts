import type { Provider } from '@nestjs/common';
import { ClickHouseStore, listAllJobsForReconcile } from '@runstream/clickhouse';
import { jobArgv } from './job-argv';
import { createKubernetesClients } from './kubernetes.client';
import type { KubernetesConfig } from './kubernetes.env';
import type { JobsForReconcile } from './kubernetes-job-row';
import { KubernetesLiveJobsSource } from './kubernetes-live-jobs.source';
import { KubernetesReconciler } from './kubernetes.reconciler';
import { StrandedRunSweeper } from './stranded-run.sweeper';
import { ARGV_PARSER, JOBS_FOR_RECONCILE, KUBERNETES_CLIENTS, KUBERNETES_CONFIG, LIVE_JOBS_SOURCE } from './kubernetes.tokens';

/**
 * The Kubernetes backend's providers for ControlModule (its backend providers); none when
 * CONTROL_KUBERNETES=off. Reads jobs through the module's ClickHouseStore.
 */
export function kubernetesProviders(config: KubernetesConfig): Provider[] {
  if (config.mode === 'off') return [];
  return [
    { provide: KUBERNETES_CONFIG, useValue: config },
    { provide: KUBERNETES_CLIENTS, useFactory: () => createKubernetesClients(config) },
    {
      provide: JOBS_FOR_RECONCILE,
      inject: [ClickHouseStore],
      useFactory:
        (store: ClickHouseStore): JobsForReconcile =>
        () =>
          listAllJobsForReconcile(store),
    },
    { provide: ARGV_PARSER, useValue: jobArgv },
    KubernetesReconciler,
    KubernetesLiveJobsSource,
    StrandedRunSweeper,
    { provide: LIVE_JOBS_SOURCE, useExisting: KubernetesLiveJobsSource },
  ];
}
