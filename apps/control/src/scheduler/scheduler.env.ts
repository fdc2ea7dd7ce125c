import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

/**
 * The scheduler's and the lease sweeper's env (docs/scheduler.md). Booleans are the words
 * true/false: implicit conversion would turn the text 'false' into true.
 */
export class SchedulerEnv {
  /** Off: no scheduled runs from this instance (e.g. when Kubernetes CronJobs fire them). */
  @IsIn(['true', 'false'], { message: 'CONTROL_SCHEDULER_ENABLED must be true or false' })
  CONTROL_SCHEDULER_ENABLED = 'true';

  /** How often the scheduler looks for due ticks; ticks closer together than this may be skipped. */
  @IsInt()
  @Min(50)
  @Max(60_000)
  CONTROL_SCHEDULER_TICK_MS: number = 1_000;

  /** How old the cached job list may get; a tick that is due re-reads it first when it is older than a tick. */
  @IsInt()
  @Min(100)
  @Max(600_000)
  CONTROL_SCHEDULER_REFRESH_MS: number = 5_000;

  /** A missed tick older than this is not caught up (Kubernetes' startingDeadlineSeconds). */
  @IsInt()
  @Min(1_000)
  @Max(86_400_000)
  CONTROL_SCHEDULER_STARTING_DEADLINE_MS: number = 5 * 60_000;

  /**
   * Forbid: a tick whose job still has a run pending or running is skipped (Kubernetes'
   * concurrencyPolicy, the CronJobs' default here too), so runs of one job never overlap or pile
   * up while no agent picks them up. Allow: every tick fires.
   */
  @IsIn(['Forbid', 'Allow'], { message: 'CONTROL_SCHEDULER_CONCURRENCY_POLICY must be Forbid or Allow' })
  CONTROL_SCHEDULER_CONCURRENCY_POLICY: 'Forbid' | 'Allow' = 'Forbid';

  /** Off: claimed runs are never ended for silence. */
  @IsIn(['true', 'false'], { message: 'CONTROL_LEASE_SWEEPER_ENABLED must be true or false' })
  CONTROL_LEASE_SWEEPER_ENABLED = 'true';

  /** A claimed run with no report for this long is ended `error` (4 × the agent's 15 s heartbeat). */
  @IsInt()
  @Min(1_000)
  @Max(86_400_000)
  CONTROL_RUN_LEASE_MS: number = 60_000;

  /**
   * The materializer's consumer group: the sweeper reads its committed offsets so that a lagging
   * read model never looks like silent agents. Unset: MATERIALIZER_GROUP_ID, as the materializer
   * reads it (else its default), so renaming the materializer's group alone cannot stop the sweeper.
   */
  @IsOptional()
  @IsString()
  @Length(1, 256)
  CONTROL_MATERIALIZER_GROUP_ID?: string;
}

export interface SchedulerConfig {
  enabled: boolean;
  tickMs: number;
  refreshMs: number;
  startingDeadlineMs: number;
  concurrencyPolicy: 'Forbid' | 'Allow';
}

export interface LeaseSweeperConfig {
  enabled: boolean;
  leaseMs: number;
  /** How often to sweep: a quarter of the lease, between 250 ms and 15 s. */
  sweepMs: number;
  materializerGroupId: string;
}

export function schedulerConfig(env: SchedulerEnv): SchedulerConfig {
  return {
    enabled: env.CONTROL_SCHEDULER_ENABLED === 'true',
    tickMs: env.CONTROL_SCHEDULER_TICK_MS,
    refreshMs: env.CONTROL_SCHEDULER_REFRESH_MS,
    startingDeadlineMs: env.CONTROL_SCHEDULER_STARTING_DEADLINE_MS,
    concurrencyPolicy: env.CONTROL_SCHEDULER_CONCURRENCY_POLICY,
  };
}

export function leaseSweeperConfig(env: SchedulerEnv, processEnv: NodeJS.ProcessEnv = {}): LeaseSweeperConfig {
  return {
    enabled: env.CONTROL_LEASE_SWEEPER_ENABLED === 'true',
    leaseMs: env.CONTROL_RUN_LEASE_MS,
    sweepMs: Math.min(15_000, Math.max(250, Math.floor(env.CONTROL_RUN_LEASE_MS / 4))),
    materializerGroupId: env.CONTROL_MATERIALIZER_GROUP_ID ?? processEnv.MATERIALIZER_GROUP_ID ?? 'runstream-materializer',
  };
}
