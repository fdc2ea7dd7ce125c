import { Logger } from '@nestjs/common';
import { fromChDateTime, JobRow } from '@runstream/clickhouse';
import { SchedulableJob } from './schedule-ticks';

/** A live job as the scheduler sees it, with the row RunStarter needs. */
export interface ScheduledJob extends SchedulableJob {
  row: JobRow;
}

export function toScheduledJob(row: JobRow): ScheduledJob {
  return {
    id: row.id,
    schedule: row.schedule,
    timezone: row.timezone || 'UTC',
    enabled: Number(row.enabled) === 1,
    // Its creation, or its last change of schedule, timezone or enabled (see SchedulableJob.since);
    // rows older than that column: the last change of any kind.
    since: new Date(fromChDateTime(row.schedule_since ?? row.updated_at)),
    row,
  };
}

/**
 * The live jobs, read at most once per `refreshMs` (the scheduler ticks every second; the job
 * list changes rarely). A failed read keeps the last list, but the scheduler fires no tick later
 * than the last read on it (readBefore): while ClickHouse is away, ticks wait for it, up to their
 * starting deadline.
 */
export class JobCatalog {
  private readonly logger = new Logger('Scheduler');
  private jobs: ScheduledJob[] = [];
  private readAtMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly read: () => Promise<JobRow[]>,
    private readonly refreshMs: number,
  ) {}

  /** Whether the list was read at or before `instant`: a change answered just before it may be missing. */
  readNoLaterThan(instant: Date): boolean {
    return this.readAtMs <= instant.getTime();
  }

  /** Whether the list was last read before `instant`: it may miss any change since. */
  readBefore(instant: Date): boolean {
    return this.readAtMs < instant.getTime();
  }

  /** The list, re-read first when it is older than `maxAgeMs`. */
  async current(now: Date, maxAgeMs = this.refreshMs): Promise<ScheduledJob[]> {
    if (now.getTime() - this.readAtMs < maxAgeMs) return this.jobs;
    try {
      this.jobs = (await this.read()).map(toScheduledJob);
      this.readAtMs = now.getTime();
    } catch (error) {
      this.logger.warn(`could not read the job list, keeping the last one (${this.jobs.length} jobs): ${String(error)}`);
    }
    return this.jobs;
  }
}
