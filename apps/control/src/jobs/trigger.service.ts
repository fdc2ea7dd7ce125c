import { Inject, Injectable } from '@nestjs/common';
import { ClickHouseStore, runWritten } from '@runstream/clickhouse';
import { Caller, invalidFields, serviceUnavailable } from '@runstream/http';
import { pollUntil } from '@runstream/runtime';
import { CONTROL_CONFIG, ControlConfig } from '../config/control.config';
import { publishRefusal } from '../events/publish-refusal';
import { InvalidRunEventError, RunNotLaunchedError, RunStarter } from '../runs/run-starter';
import { TriggerJobDto } from './dto/job-body.dto';
import { JobsService } from './jobs.service';
import { commandTool, parseCommand } from './validation/command';

export interface TriggerResponse {
  job_run_id: string;
  job_name: string;
  status: 'pending';
  message: string;
}

/** Looks for the new run after 25, 50, 100, 200, 200… ms. */
const VISIBLE_POLL = { firstDelayMs: 25, maxDelayMs: 200 };

/**
 * A manual, one-off run of a job (disabled jobs too: `enabled` only suspends the schedule).
 * Answered once the run can be read (`GET /api/v1/runs/:runId` after the answer finds it), or,
 * when the materializer lags, once Kafka acknowledged it and CONTROL_DECISION_TIMEOUT_MS passed:
 * the run exists either way. It is pending until an executor claims it.
 */
@Injectable()
export class TriggerService {
  constructor(
    private readonly jobs: JobsService,
    private readonly starter: RunStarter,
    private readonly store: ClickHouseStore,
    @Inject(CONTROL_CONFIG) private readonly config: ControlConfig,
  ) {}

  async trigger(caller: Caller, projectId: string, jobId: string, dto: TriggerJobDto): Promise<TriggerResponse> {
    const job = await this.jobs.find(caller, projectId, jobId);
    const commandArgv = dto.command_override === undefined ? undefined : this.overrideArgv(job.command, dto.command_override);
    const { runId, jobName } = await this.starter
      .start({ orgId: caller.orgId, projectId, actor: caller.tokenId, job, triggeredBy: 'manual', commandArgv })
      .catch((error: unknown) => {
        if (error instanceof InvalidRunEventError)
          throw invalidFields([{ field: dto.command_override === undefined ? 'command' : 'command_override', reasons: [error.message] }]);
        if (error instanceof RunNotLaunchedError) {
          const state = error.ended ? 'was created and ended as error' : 'was created and stays pending (ending it failed too)';
          throw serviceUnavailable(`run ${error.runId} ${state}, ${error.message}; retry later`, 5);
        }
        throw publishRefusal(error);
      });
    await this.untilReadable(caller.orgId, runId);
    return { job_run_id: runId, job_name: jobName, status: 'pending', message: 'Run triggered successfully' };
  }

  /** Waits until the read model holds the run, at most the decision timeout (then the run exists, just not materialized yet). */
  private async untilReadable(orgId: string, runId: string): Promise<void> {
    await pollUntil(
      // A failed read ends the wait: the run was created, and the answer says so.
      async () => ((await runWritten(this.store, orgId, runId).catch(() => true)) ? true : undefined),
      { ...VISIBLE_POLL, timeoutMs: this.config.decisionTimeoutMs },
    );
  }

  private overrideArgv(jobCommand: string, override: string): string[] {
    if (commandTool(jobCommand) !== 'dbt')
      throw invalidFields([{ field: 'command_override', reasons: ['command_override is for dbt jobs only; this job runs sqlmesh'] }]);
    const parsed = parseCommand(override, true);
    if (!parsed.ok) throw invalidFields([{ field: 'command_override', reasons: [`command_override ${parsed.reason}`] }]);
    return parsed.argv;
  }
}
