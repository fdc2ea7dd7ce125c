import { Cron } from 'croner';
import { cronFor, decideTick, latestTickAtOrBefore, scheduledRunId, SchedulableJob } from './schedule-ticks';

/** A run to start: the job, the tick it is for and the run's deterministic id. */
export interface DueTick<J> {
  job: J;
  tick: Date;
  runId: string;
}

interface JobMemory {
  schedule: string;
  timezone: string;
  /** null when croner refuses the schedule or time zone (the API validates both; kept safe anyway). */
  cron: Cron | null;
  /** The last tick fired or skipped; null for a job first seen. */
  cursor: Date | null;
  /** The latest tick at or before `from`, and the next one after it (null: none), valid while now stays in [from, next). */
  latest?: { from: number; tick: Date | null; next: number };
}

/**
 * Remembers, per job, the last tick this instance fired, and turns the current job list into
 * the ticks due now. Memory is only an optimisation: a fresh planner (a restart, a second
 * instance) decides from the job alone, and the ids it produces are the same.
 */
export class TickPlanner<J extends SchedulableJob> {
  private readonly memory = new Map<string, JobMemory>();

  constructor(
    private readonly deadlineMs: number,
    private readonly onInvalidSchedule: (job: J, error: unknown) => void = () => undefined,
  ) {}

  plan(jobs: readonly J[], now: Date): DueTick<J>[] {
    const due: DueTick<J>[] = [];
    const present = new Set<string>();
    for (const job of jobs) {
      // A disabled job is forgotten: re-enabling it starts from its `since`, so ticks that
      // passed while it was suspended never run.
      if (!job.enabled) continue;
      present.add(job.id);
      const memory = this.remember(job);
      if (memory.cron === null) continue;
      const decision = decideTick(this.latestTick(memory, memory.cron, now), job, memory.cursor, now, this.deadlineMs);
      if (decision.kind === 'skip') memory.cursor = decision.tick;
      if (decision.kind === 'fire') due.push({ job, tick: decision.tick, runId: scheduledRunId(job.id, decision.tick) });
    }
    for (const id of [...this.memory.keys()]) if (!present.has(id)) this.memory.delete(id);
    return due;
  }

  /** The run of `tick` was announced: the tick is done. A failed start leaves it due (same id next time). */
  fired(jobId: string, tick: Date): void {
    const memory = this.memory.get(jobId);
    if (memory && (memory.cursor === null || tick.getTime() > memory.cursor.getTime())) memory.cursor = tick;
  }

  /**
   * The job's latest tick at or before `now`, searched for again only once `now` reaches the next
   * tick: each search costs up to ~10 ms for a schedule that fires rarely or never (`0 0 31 2 *`),
   * and the scheduler asks every second for every job.
   */
  private latestTick(memory: JobMemory, cron: Cron, now: Date): Date | null {
    const at = now.getTime();
    const known = memory.latest;
    if (known && known.from <= at && at < known.next) return known.tick;
    const tick = latestTickAtOrBefore(cron, now);
    const next = cron.nextRun(now)?.getTime() ?? Number.POSITIVE_INFINITY;
    memory.latest = { from: at, tick, next };
    return tick;
  }

  /** A job whose schedule or time zone changed is decided afresh, from its `since` (its change). */
  private remember(job: J): JobMemory {
    const known = this.memory.get(job.id);
    if (known && known.schedule === job.schedule && known.timezone === job.timezone) return known;
    const memory: JobMemory = { schedule: job.schedule, timezone: job.timezone, cron: this.parse(job), cursor: null };
    this.memory.set(job.id, memory);
    return memory;
  }

  private parse(job: J): Cron | null {
    try {
      const cron = cronFor(job.schedule, job.timezone);
      // croner checks the time zone only when it computes a time: ask once now.
      cron.nextRun();
      return cron;
    } catch (error) {
      this.onInvalidSchedule(job, error);
      return null;
    }
  }
}
