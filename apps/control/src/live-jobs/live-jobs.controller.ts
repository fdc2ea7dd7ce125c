import { Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, CurrentCaller } from '@runstream/http';
import { LIVE_JOBS_SOURCE } from '../kubernetes/kubernetes.tokens';
import { LiveJob, LiveJobDetail, LiveJobLogs, LiveJobsSource } from '../kubernetes/live-jobs';
import { LiveJobDetailSchema, LiveJobListSchema, LiveJobLogsSchema } from './live-job.schemas';
import { ListLiveJobsQueryDto, LiveJobLogsQueryDto, LiveJobParams } from './live-jobs.dto';

/**
 * The organisation's live executions (docs/jobs.md, GET /api/v1/jobs…): Kubernetes Job
 * objects and pod logs when the Kubernetes backend is on, else the agent's runs of jobs.
 */
@ApiTags('jobs')
@Controller('api/v1/jobs')
export class LiveJobsController {
  constructor(@Inject(LIVE_JOBS_SOURCE) private readonly source: LiveJobsSource) {}

  @Get()
  @ApiOkResponse({ type: LiveJobListSchema })
  list(@Query() query: ListLiveJobsQueryDto, @CurrentCaller() caller: Caller): Promise<{ jobs: LiveJob[]; total: number }> {
    return this.source.list(caller.orgId, { status: query.status, project: query.project, limit: query.limit });
  }

  @Get(':id')
  @ApiOkResponse({ type: LiveJobDetailSchema })
  async get(@Param() { id }: LiveJobParams, @CurrentCaller() caller: Caller): Promise<LiveJobDetail> {
    return (await this.source.get(caller.orgId, id)) ?? notFound(id);
  }

  @Get(':id/logs')
  @ApiOkResponse({ type: LiveJobLogsSchema })
  async logs(@Param() { id }: LiveJobParams, @Query() { tail }: LiveJobLogsQueryDto, @CurrentCaller() caller: Caller): Promise<LiveJobLogs> {
    return (await this.source.logs(caller.orgId, id, tail)) ?? notFound(id);
  }
}

function notFound(id: string): never {
  throw new NotFoundException(`job ${id} not found`);
}
