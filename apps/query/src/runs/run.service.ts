import { Injectable, NotFoundException } from '@nestjs/common';
import { EltRunFields, fromChDateTime, Page, RunDayCount, RunFilter, RunRow, telemetrySummaryOf, toChDateTime, toEltRunFields } from '@runstream/clickhouse';
import { Caller } from '@runstream/http';
import { dateWindow, DailyStats, fillDailyStats, finite } from './daily-stats';
import { DailyStatsQueryDto } from './dto/daily-stats.query.dto';
import { pageMeta, pageOffset } from './page';
import { ListRunsQueryDto } from './dto/list-runs.query.dto';
import { countedPerDay, firstDayHolding, statsOfDays } from './run-page';
import { RunRepository } from './run.repository';
import { JobRun, roundSeconds, RunListResponse, RunStats, toJobRun, toRunSummary } from './run.response';

export interface LogLine {
  at: string;
  level: string;
  message: string;
}

export interface RunLogsResponse {
  run_id: string;
  logs: LogLine[];
  total: number;
}

export interface EltRun extends EltRunFields {
  targetGateway: string;
  claimedBy: string;
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationSeconds: number | null;
  errorSummary: string;
  logEntries: LogLine[];
  telemetry: { summary: Record<string, unknown>; samples: Record<string, unknown>[] };
  updatedAt: string;
}

/** A runs page with its total, and its stats when they came with it. */
interface RunPage {
  rows: RunRow[];
  total: number;
  stats?: RunStats;
}

@Injectable()
export class RunService {
  constructor(private readonly runs: RunRepository) {}

  async list(projectId: string, query: ListRunsQueryDto, caller: Caller): Promise<RunListResponse> {
    const filter: RunFilter = {
      org_id: caller.orgId,
      project_id: projectId,
      cronjob_name: query.cronjob_name,
      status: query.status,
      job_type: query.job_type,
      updated_after: query.updated_after === undefined ? undefined : toChDateTime(query.updated_after),
    };
    const page = { limit: query.limit, offset: pageOffset(query.page, query.limit) };
    const { rows, total, stats } = countedPerDay(filter)
      ? await this.pageOfCountedRuns(projectId, filter, page, query.include_stats)
      : await this.pageOfRuns(projectId, filter, page, query.include_stats);
    const runs = query.include_telemetry ? rows.map((row) => ({ ...toRunSummary(row), telemetry_summary: telemetrySummaryOf(row) })) : rows.map(toRunSummary);
    const response: RunListResponse = { runs, ...pageMeta(total, query.page, query.limit) };
    if (query.include_stats) response.stats = stats;
    return response;
  }

  /**
   * A page of runs under a filter run_daily carries, with its total and stats from run_daily's
   * per-day counts. Those tell from which day the page's runs come, so a big project's page reads
   * those days' partitions instead of sorting every run it has. run_daily is written just before
   * runs in each flush, so the counts only place the read: a page that comes back short is read
   * again over every day. Without stats only the runs per day are counted.
   */
  private async pageOfCountedRuns(projectId: string, filter: RunFilter, page: Page, withStats: boolean): Promise<RunPage> {
    const counted = withStats ? await this.runs.days(filter) : undefined;
    const stats = counted && statsOfDays(projectId, counted);
    const days: RunDayCount[] = counted ?? (await this.runs.dayCounts(filter));
    const total = days.reduce((sum, day) => sum + day.runs, 0);
    const from = firstDayHolding(days, page.offset + page.limit);
    if (from !== undefined) {
      const rows = await this.runs.list(filter, page, `${from} 00:00:00.000`);
      if (rows.length === page.limit) return { rows, total, stats };
    }
    return { rows: await this.runs.list(filter, page), total, stats };
  }

  /** Without per-day counts the page and its total (or stats, whose total_runs it is) are independent reads, made side by side. */
  private async pageOfRuns(projectId: string, filter: RunFilter, page: Page, withStats: boolean): Promise<RunPage> {
    const [rows, counted] = await Promise.all([this.runs.list(filter, page), withStats ? this.stats(projectId, filter) : this.runs.count(filter)]);
    return typeof counted === 'number' ? { rows, total: counted } : { rows, total: counted.total_runs, stats: counted };
  }

  async dailyStats(projectId: string, query: DailyStatsQueryDto, caller: Caller): Promise<{ daily_stats: DailyStats[]; total_days: number }> {
    const window = dateWindow(query.days, new Date());
    const rows = await this.runs.daily({
      org_id: caller.orgId,
      project_id: projectId,
      from: window[0],
      to: window[window.length - 1],
      cronjob_name: query.cronjob_name,
    });
    return { daily_stats: fillDailyStats(window, rows, query.cronjob_name), total_days: window.length };
  }

  async get(runId: string, caller: Caller): Promise<JobRun> {
    return toJobRun(await this.require(runId, caller));
  }

  async logs(runId: string, caller: Caller): Promise<RunLogsResponse> {
    const run = await this.require(runId, caller);
    const lines = await this.runs.log(run);
    return { run_id: run.id, logs: lines.map((l) => ({ at: fromChDateTime(l.at), level: l.level, message: l.message })), total: lines.length };
  }

  /** GET /api/elt/runs/:id: the run as the write API knows it (camelCase), with log and telemetry. */
  async eltRun(runId: string, caller: Caller): Promise<EltRun> {
    const run = await this.require(runId, caller);
    const [lines, samples] = await Promise.all([this.runs.log(run), this.runs.samples(run)]);
    return {
      ...toEltRunFields(run),
      targetGateway: run.target_gateway,
      claimedBy: run.claimed_by,
      status: run.status,
      startedAt: fromChDateTime(run.start_time),
      finishedAt: fromChDateTime(run.end_time),
      durationSeconds: roundSeconds(run.duration_seconds),
      errorSummary: run.error_summary,
      logEntries: lines.map((l) => ({ at: fromChDateTime(l.at), level: l.level, message: l.message })),
      telemetry: {
        summary: telemetrySummaryOf(run),
        samples: samples.map((sample) => ({ at: fromChDateTime(sample.at), ...sample.values })),
      },
      updatedAt: fromChDateTime(run.updated_at),
    };
  }

  /** Another organisation's run answers exactly as a missing one. */
  private async require(runId: string, caller: Caller): Promise<RunRow> {
    const run = await this.runs.find(caller.orgId, runId);
    if (!run) throw new NotFoundException(`run ${runId} not found`);
    return run;
  }

  private async stats(projectId: string, filter: RunFilter): Promise<RunStats> {
    const row = await this.runs.stats(filter);
    return {
      project_id: projectId,
      total_runs: Number(row.total_runs),
      successful_runs: Number(row.successful_runs),
      failed_runs: Number(row.failed_runs),
      error_runs: Number(row.error_runs),
      avg_success_duration: roundSeconds(finite(row.avg_success_duration)),
    };
  }
}
