import { Injectable } from '@nestjs/common';
import { RunFilter, toChDateTime } from '@runstream/clickhouse';
import { Caller } from '@runstream/http';
import { ListRunsQueryDto } from './dto/list-runs.query.dto';
import { RunRepository } from './run.repository';
import { roundSeconds, RunListResponse, RunStats, toRunSummary } from './run.response';

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
    const [rows, total, stats] = await Promise.all([
      this.runs.list(filter, { limit: query.limit, offset: (query.page - 1) * query.limit }),
      this.runs.count(filter),
      query.include_stats ? this.stats(projectId, filter) : undefined,
    ]);
    const response: RunListResponse = {
      runs: rows.map(toRunSummary),
      total,
      page: query.page,
      limit: query.limit,
      total_pages: Math.ceil(total / query.limit),
    };
    if (stats) response.stats = stats;
    return response;
  }

  private async stats(projectId: string, filter: RunFilter): Promise<RunStats> {
    const row = await this.runs.stats(filter);
    return {
      project_id: projectId,
      total_runs: Number(row.total_runs),
      successful_runs: Number(row.successful_runs),
      failed_runs: Number(row.failed_runs),
      error_runs: Number(row.error_runs),
      avg_success_duration: roundSeconds(Number.isFinite(row.avg_success_duration) ? row.avg_success_duration : null),
    };
  }
}
