import { Injectable } from '@nestjs/common';
import { Caller } from '@runstream/http';
import { publishRefusal } from '../events/publish-refusal';
import { InvalidRunEventError, RunStarter } from '../runs/run-starter';
import { TriggerJobDto } from './dto/job-body.dto';
import { JobsService } from './jobs.service';
import { commandTool, parseCommand } from './validation/command';
import { badRequest } from './validation-errors';

export interface TriggerResponse {
  job_run_id: string;
  job_name: string;
  status: 'pending';
  message: string;
}

/**
 * A manual, one-off run of a job (disabled jobs too: `enabled` only suspends the schedule).
 * Answered once the run's creation is acknowledged by Kafka; the run is pending until an
 * executor claims it.
 */
@Injectable()
export class TriggerService {
  constructor(
    private readonly jobs: JobsService,
    private readonly starter: RunStarter,
  ) {}

  async trigger(caller: Caller, projectId: string, jobId: string, dto: TriggerJobDto): Promise<TriggerResponse> {
    const job = await this.jobs.find(caller, projectId, jobId);
    const commandArgv = dto.command_override === undefined ? undefined : this.overrideArgv(job.command, dto.command_override);
    try {
      const { runId, jobName } = await this.starter.start({ orgId: caller.orgId, projectId, actor: caller.tokenId, job, triggeredBy: 'manual', commandArgv });
      return { job_run_id: runId, job_name: jobName, status: 'pending', message: 'Run triggered successfully' };
    } catch (error) {
      if (error instanceof InvalidRunEventError)
        throw badRequest([{ field: dto.command_override === undefined ? 'command' : 'command_override', reasons: [error.message] }]);
      throw publishRefusal(error);
    }
  }

  private overrideArgv(jobCommand: string, override: string): string[] {
    if (commandTool(jobCommand) !== 'dbt')
      throw badRequest([{ field: 'command_override', reasons: ['command_override is for dbt jobs only; this job runs sqlmesh'] }]);
    const parsed = parseCommand(override, true);
    if (!parsed.ok) throw badRequest([{ field: 'command_override', reasons: [`command_override ${parsed.reason}`] }]);
    return parsed.argv;
  }
}
