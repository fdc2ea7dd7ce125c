import { Provider } from '@nestjs/common';
import { ControlConfig } from './config/control.config';
import { kubernetesProviders } from './kubernetes/kubernetes.providers';
import { KubernetesRunExecutor } from './kubernetes/kubernetes-run.executor';
import { LIVE_JOBS_SOURCE } from './kubernetes/kubernetes.tokens';
import { LocalLiveJobsSource } from './live-jobs/local-live-jobs.source';
import { LocalRunExecutor, RUN_EXECUTOR } from './runs/run-executor';

/**
 * The execution backend the config names: Kubernetes (CronJobs, Jobs, pod logs) when
 * CONTROL_KUBERNETES is on, else the local one (runs for the agent's gateway, live executions
 * from the read model).
 */
export function backendProviders(config: ControlConfig): Provider[] {
  if (config.kubernetes.mode !== 'off') {
    return [...kubernetesProviders(config.kubernetes), { provide: RUN_EXECUTOR, useClass: KubernetesRunExecutor }];
  }
  return [
    { provide: RUN_EXECUTOR, useClass: LocalRunExecutor },
    LocalLiveJobsSource,
    { provide: LIVE_JOBS_SOURCE, useExisting: LocalLiveJobsSource },
  ];
}
