import { Injectable } from '@nestjs/common';
import { toChDateTime } from '@runstream/clickhouse';
import { badRequest, Caller } from '@runstream/http';
import { ListExecutionsQueryDto } from './dto/list-executions.query.dto';
import { ModelStatsQueryDto } from './dto/model-stats.query.dto';
import { pageMeta, PageMeta, pageOffset } from '../runs/page';
import { ExecutionRepository } from './execution.repository';
import { Execution, ModelStats, toExecution, toModelStats } from './execution.response';

export interface ExecutionListResponse extends PageMeta {
  executions: Execution[];
}

@Injectable()
export class ExecutionService {
  constructor(private readonly executions: ExecutionRepository) {}

  async list(projectId: string, query: ListExecutionsQueryDto, caller: Caller): Promise<ExecutionListResponse> {
    const filter = {
      org_id: caller.orgId,
      project_id: projectId,
      model_name: query.model_name,
      cronjob_name: query.cronjob_name,
      job_run_id: query.job_run_id,
      updated_after: query.updated_after === undefined ? undefined : toChDateTime(query.updated_after),
    };
    const page = { limit: query.limit, offset: pageOffset(query.page, query.limit) };
    // A model's count comes first: it tells a big model's page to read its last week first
    // (listModelExecutions). Otherwise the page does not need it, and both are asked at once.
    const modelTotal = filter.model_name === undefined ? undefined : await this.executions.count(filter);
    const [rows, total] = await Promise.all([this.executions.list(filter, page, modelTotal), modelTotal ?? this.executions.count(filter)]);
    return { executions: rows.map(toExecution), ...pageMeta(total, query.page, query.limit) };
  }

  /** All-time without dates; with them, executions started within the window. */
  async stats(projectId: string, query: ModelStatsQueryDto, caller: Caller, modelName?: string): Promise<{ stats: ModelStats[]; total: number }> {
    if (query.start_date && query.end_date && query.start_date > query.end_date) {
      throw badRequest('end_date', 'must not be before start_date');
    }
    const rows = await this.executions.stats({
      org_id: caller.orgId,
      project_id: projectId,
      model_name: modelName,
      from: query.start_date,
      to: query.end_date,
    });
    const stats = rows.map((row) => toModelStats(projectId, row));
    return { stats, total: stats.length };
  }
}
