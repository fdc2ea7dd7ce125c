import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { ClickHouseStore, listActiveJobs, selectActiveJobRuns, toChDateTime } from '@runstream/clickhouse';
import pLimit from 'p-limit';
import { RunNotLaunchedError, RunStarter } from '../runs/run-starter';
import { JobCatalog, ScheduledJob } from './job-catalog';
import { SchedulerConfig } from './scheduler.env';
import { DueTick, TickPlanner } from './tick-planner';
import { PeriodicTask } from '@runstream/runtime';

export const SCHEDULER_CONFIG = Symbol('SCHEDULER_CONFIG');
/** Optional `() => Date`; tests move time by hand. */
export const SCHEDULER_CLOCK = Symbol('SCHEDULER_CLOCK');
/** The actor of the events the control plane writes on its own. */
export const CONTROL_PLANE_ACTOR = 'control-plane';

/** Runs announced at once; one tick of thousands of jobs must not open thousands of publishes. */
const START_CONCURRENCY = 16;
/** Wake this long after each multiple of the tick, so a tick on the whole second is already past. */
const WAKE_OFFSET_MS = 5;
/** Under Forbid, runs created longer ago than this no longer hold a job's ticks back (a run left pending for a week). */
const ACTIVE_RUN_HORIZON_MS = 7 * 86_400_000;

/**
 * Turns enabled jobs' schedules into scheduled runs (docs/scheduler.md). Every instance runs
 * the same loop: a tick's run has a deterministic id, so instances and restarts announce the
 * same run and the materializer's fold keeps one. A failed start is retried on the next loop
 * with the same id; one job's failure never holds up the others.
 */
@Injectable()
export class Scheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private readonly planner: TickPlanner<ScheduledJob>;
  private readonly catalog: JobCatalog;
  private readonly limit = pLimit(START_CONCURRENCY);
  /** Last failing run id logged per job, so a retried failure is logged once. */
  private readonly reported = new Map<string, string>();
  private readonly loop: PeriodicTask;

  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    private readonly store: ClickHouseStore,
    private readonly starter: RunStarter,
    @Optional() @Inject(SCHEDULER_CLOCK) private readonly clock: () => Date = () => new Date(),
  ) {
    this.catalog = new JobCatalog(() => listActiveJobs(store), config.refreshMs);
    this.planner = new TickPlanner<ScheduledJob>(config.startingDeadlineMs, (job, error) =>
      this.logger.error(`job ${job.id}: schedule ${JSON.stringify(job.schedule)} in ${job.timezone} cannot be computed, not scheduling it: ${String(error)}`),
    );
    this.loop = new PeriodicTask(
      () => this.tick(),
      // Just after the next multiple of the tick: a due time is seen as soon as it passed.
      () => config.tickMs - (this.clock().getTime() % config.tickMs) + WAKE_OFFSET_MS,
      (error) => this.logger.error(`scheduler pass failed: ${String(error)}`),
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.enabled) this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  start(): void {
    this.loop.start();
  }

  /** Stops the loop and waits for starts under way (they finish or fail; nothing is left half-done). */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass: the runs started (their ids). Exposed for tests that drive time themselves. */
  async tick(): Promise<string[]> {
    const now = this.clock();
    const jobs = await this.catalog.current(now);
    // Jobs deleted while their start kept failing leave no report behind.
    if (this.reported.size > 0) {
      const listed = new Set(jobs.map((job) => job.id));
      for (const id of this.reported.keys()) if (!listed.has(id)) this.reported.delete(id);
    }
    let due = this.planner.plan(jobs, now);
    // Something is due: decide on a list read after its tick, so a job disabled or deleted before
    // the tick (the API answered) does not fire on a list read earlier, however little.
    if (due.some(({ tick }) => this.catalog.readNoLaterThan(tick))) {
      due = this.planner.plan(await this.catalog.current(now, 0), now);
      // A re-read that failed leaves the list older than those ticks: they stay due (retried each
      // pass until their starting deadline), not fired on a list that may still hold a deleted job.
      due = due.filter(({ tick }) => !this.catalog.readBefore(tick));
    }
    if (this.config.concurrencyPolicy === 'Forbid' && due.length > 0) due = await this.withoutActiveRuns(due, now);
    const started = await Promise.all(due.map((tick) => this.limit(() => this.fire(tick))));
    return started.filter((id): id is string => id !== undefined);
  }

  /**
   * Forbid: a due tick whose job still has a run pending or running is skipped, not kept for later
   * (the run of that very tick, announced by an earlier pass, counts as fired). A failed read fails
   * the pass: the ticks stay due.
   */
  private async withoutActiveRuns(due: DueTick<ScheduledJob>[], now: Date): Promise<DueTick<ScheduledJob>[]> {
    const key = (org: string, project: string, job: string) => `${org}\u0000${project}\u0000${job}`;
    const jobs = due.map(({ job }) => ({ org_id: job.row.org_id, project_id: job.row.project_id, job_id: job.id }));
    const active = await selectActiveJobRuns(this.store, jobs, toChDateTime(new Date(now.getTime() - ACTIVE_RUN_HORIZON_MS)));
    const busy = new Map(active.map((run) => [key(run.org_id, run.project_id, run.job_id), run]));
    return due.filter(({ job, tick, runId }) => {
      const run = busy.get(key(job.row.org_id, job.row.project_id, job.id));
      if (!run) return true;
      this.planner.fired(job.id, tick);
      if (run.id !== runId)
        this.logger.log(`job ${job.id}: tick ${tick.toISOString()} skipped, run ${run.id} is still ${run.status} (concurrency policy Forbid)`);
      return false;
    });
  }

  private async fire(due: DueTick<ScheduledJob>): Promise<string | undefined> {
    const { job, tick, runId } = due;
    try {
      await this.starter.start({
        orgId: job.row.org_id,
        projectId: job.row.project_id,
        actor: CONTROL_PLANE_ACTOR,
        job: job.row,
        triggeredBy: 'scheduled',
        runId,
        at: tick,
      });
      this.planner.fired(job.id, tick);
      this.reported.delete(job.id);
      return runId;
    } catch (error) {
      if (error instanceof RunNotLaunchedError && error.ended) {
        // The tick's run is already ended as `error`: launching it again would start a Job
        // whose pod finds its run over, and the tick would still show the failed launch.
        this.planner.fired(job.id, tick);
        this.reported.delete(job.id);
        this.logger.warn(`job ${job.id}: run ${runId} for ${tick.toISOString()} not launched, ended as error: ${error.message}`);
        return undefined;
      }
      if (this.reported.get(job.id) !== runId) {
        this.reported.set(job.id, runId);
        this.logger.warn(`job ${job.id}: run ${runId} for ${tick.toISOString()} not started, retrying until its starting deadline: ${String(error)}`);
      }
      return undefined;
    }
  }
}
