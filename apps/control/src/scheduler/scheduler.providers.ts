import type { Provider } from '@nestjs/common';
import { LEASE_SWEEPER_CONFIG, LeaseSweeper } from './lease-sweeper';
import { Scheduler, SCHEDULER_CONFIG } from './scheduler';
import type { LeaseSweeperConfig, SchedulerConfig } from './scheduler.env';

/**
 * The scheduler and the lease sweeper for ControlModule (its backend providers). Each
 * starts on application bootstrap when enabled and stops on shutdown; they use the module's
 * ClickHouseStore, RunStarter, ControlEventLog and CONTROL_CONFIG.
 */
export function schedulerProviders(scheduler: SchedulerConfig, sweeper: LeaseSweeperConfig): Provider[] {
  return [{ provide: SCHEDULER_CONFIG, useValue: scheduler }, Scheduler, { provide: LEASE_SWEEPER_CONFIG, useValue: sweeper }, LeaseSweeper];
}
