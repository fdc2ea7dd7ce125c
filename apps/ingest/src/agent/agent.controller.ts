import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, UseFilters } from '@nestjs/common';
import { AcceptTokens } from '@runstream/auth';
import { Caller, CurrentCaller } from '@runstream/http';
import { RetryLaterFilter } from '../errors/retry-later.filter';
import { WriteGuards } from '../http/write-guards';
import { Idempotent, IdempotentWrite } from '../idempotency/idempotency.guard';
import { CreateRunDto } from '../runs/dto/create-run.dto';
import { PatchRunDto } from '../runs/dto/patch-run.dto';
import { RunIdParams } from '../runs/dto/run-id.params';
import { AcceptedPatch, CreatedRun, RunService } from '../runs/run.service';
import { AgentService, ClaimableRun, gatewayMayWrite } from './agent.service';
import { ClaimRunDto } from './claim-run.dto';
import { ClaimedRun, ClaimService } from './claim.service';
import { ListAgentRunsQueryDto } from './list-agent-runs.query.dto';

/** Gateway routes (Bearer gateway token): poll, create, claim, report. */
@Controller('api/agent/runs')
@AcceptTokens('gateway')
@WriteGuards()
@UseFilters(RetryLaterFilter)
export class AgentController {
  constructor(
    private readonly agent: AgentService,
    private readonly claims: ClaimService,
    private readonly runs: RunService,
  ) {}

  @Get()
  list(@Query() query: ListAgentRunsQueryDto, @CurrentCaller() caller: Caller): Promise<{ runs: ClaimableRun[] }> {
    return this.agent.claimable(caller, query.limit);
  }

  /**
   * A run of this gateway, created by a runner that starts on its own (a Kubernetes CronJob's
   * pod): same body as POST /api/elt/runs; with an Idempotency-Key its id is derived from the key.
   */
  @Post()
  create(
    @Body() dto: CreateRunDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentCaller() caller: Caller,
    @Idempotent() once: IdempotentWrite,
  ): Promise<CreatedRun> {
    return once(() => this.runs.createForGateway(dto, caller, idempotencyKey));
  }

  /** A retry with the same claimId or Idempotency-Key (same token) learns whether the first attempt won. */
  @Post(':id/claim')
  @HttpCode(200)
  claim(
    @Param() { id }: RunIdParams,
    @Body() dto: ClaimRunDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentCaller() caller: Caller,
    @Idempotent() once: IdempotentWrite,
  ): Promise<ClaimedRun> {
    return once(() => this.claims.claim(id, caller, dto.claimId ?? idempotencyKey));
  }

  /** Same body as PATCH /api/elt/runs/:id, for runs targeted at or claimed by this gateway. */
  @Patch(':id')
  @HttpCode(202)
  patch(@Param() { id }: RunIdParams, @Body() dto: PatchRunDto, @CurrentCaller() caller: Caller, @Idempotent() once: IdempotentWrite): Promise<AcceptedPatch> {
    return once(() => this.runs.patch(id, dto, caller, gatewayMayWrite(caller)));
  }
}
