import { Provider } from '@nestjs/common';
import { ControlConfig } from './config/control.config';
import { kubernetesProviders } from './kubernetes/kubernetes.providers';
import { KubernetesRunExecutor } from './kubernetes/kubernetes-run.executor';
import { LIVE_JOBS_SOURCE } from './kubernetes/kubernetes.tokens';
import { LocalLiveJobsSource } from './live-jobs/local-live-jobs.source';
import { LocalRunExecutor, RUN_EXECUTOR } from './runs/run-executor';
import { schedulerProviders } from './scheduler/scheduler.providers';

/**
 * The execution backend the config names: Kubernetes (CronJobs, Jobs, pod logs) when
 * CONTROL_KUBERNETES is on, else the local one (the scheduler, runs for the agent's gateway,
 * live executions from the read model).
 */
export function backendProviders(config: ControlConfig): Provider[] {
  if (config.kubernetes.mode !== 'off') {
    // The CronJobs are the schedule; the lease sweeper still guards runs agents claimed.
    return [
      ...kubernetesProviders(config.kubernetes),
      { provide: RUN_EXECUTOR, useClass: KubernetesRunExecutor },
      ...schedulerProviders({ ...config.scheduler, enabled: false }, config.leaseSweeper),
    ];
  }
  return [
    ...schedulerProviders(config.scheduler, config.leaseSweeper),
    { provide: RUN_EXECUTOR, useClass: LocalRunExecutor },
    LocalLiveJobsSource,
    { provide: LIVE_JOBS_SOURCE, useExisting: LocalLiveJobsSource },
  ];
}
