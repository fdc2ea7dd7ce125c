import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { Caller, CurrentCaller } from '@runstream/http';
import { ProjectIdParams } from '../runs/dto/project-id.params';
import { RegressionReport, SlaReport } from './checks';
import { RegressionReportSchema, SlaReportSchema } from './checks.schemas';
import { ChecksService } from './checks.service';
import { RegressionsQueryDto } from './dto/regressions.query.dto';
import { SlaQueryDto } from './dto/sla.query.dto';

/** Server-side SLA and model-regression checks (docs/change-feed.md#checks). */
@Controller('api/v1/projects/:id')
export class ChecksController {
  constructor(private readonly checks: ChecksService) {}

  @Get('sla')
  @ApiOkResponse({ type: SlaReportSchema })
  sla(@Param() { id }: ProjectIdParams, @Query() query: SlaQueryDto, @CurrentCaller() caller: Caller): Promise<SlaReport> {
    return this.checks.sla(id, query, caller);
  }

  @Get('model-executions/regressions')
  @ApiOkResponse({ type: RegressionReportSchema })
  regressions(@Param() { id }: ProjectIdParams, @Query() query: RegressionsQueryDto, @CurrentCaller() caller: Caller): Promise<RegressionReport> {
    return this.checks.regressions(id, query, caller);
  }
}
