import { Injectable } from '@nestjs/common';
import { badRequest, Caller } from '@runstream/http';
import { toModelStats } from '../executions/execution.response';
import { dateWindow, fillDailyStats } from '../runs/daily-stats';
import { ChecksRepository } from './checks.repository';
import { modelRegressions, RegressionReport, slaBreaches, SlaReport } from './checks';
import { RegressionsQueryDto } from './dto/regressions.query.dto';
import { SlaQueryDto } from './dto/sla.query.dto';

/** The client recipes' SLA and regression checks, computed server-side in one request each. */
@Injectable()
export class ChecksService {
  constructor(private readonly repository: ChecksRepository) {}

  async sla(projectId: string, query: SlaQueryDto, caller: Caller): Promise<SlaReport> {
    const window = dateWindow(query.days, new Date());
    const rows = await this.repository.daily({
      org_id: caller.orgId,
      project_id: projectId,
      from: window[0],
      to: window[window.length - 1],
      cronjob_name: query.cronjob_name,
    });
    const breaches = slaBreaches(fillDailyStats(window, rows), query.threshold_seconds);
    return { threshold_seconds: query.threshold_seconds, days: query.days, breaches, total: breaches.length };
  }

  async regressions(projectId: string, query: RegressionsQueryDto, caller: Caller): Promise<RegressionReport> {
    if (query.current_end < query.current_start) throw badRequest('current_end', 'must not be before current_start');
    if (query.previous_end < query.previous_start) throw badRequest('previous_end', 'must not be before previous_start');
    const scope = { org_id: caller.orgId, project_id: projectId };
    const [current, previous] = await Promise.all([
      this.repository.modelStats({ ...scope, from: query.current_start, to: query.current_end }),
      this.repository.modelStats({ ...scope, from: query.previous_start, to: query.previous_end }),
    ]);
    const regressions = modelRegressions(
      current.map((row) => toModelStats(projectId, row)),
      previous.map((row) => toModelStats(projectId, row)),
      query.min_change,
    );
    return { min_change: query.min_change, regressions, total: regressions.length };
  }
}
