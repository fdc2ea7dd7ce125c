import { Body, Controller, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { Caller, CurrentCaller } from '@runstream/http';
import { CreateRunDto } from './dto/create-run.dto';
import { PatchRunDto } from './dto/patch-run.dto';
import { RunIdParams } from './dto/run-id.params';
import { AcceptedPatch, CreatedRun, RunService } from './run.service';

@Controller('api/elt/runs')
export class RunController {
  constructor(private readonly runs: RunService) {}

  @Post()
  create(@Body() dto: CreateRunDto, @CurrentCaller() caller: Caller): Promise<CreatedRun> {
    return this.runs.create(dto, caller);
  }

  @Patch(':id')
  @HttpCode(202)
  patch(@Param() { id }: RunIdParams, @Body() dto: PatchRunDto, @CurrentCaller() caller: Caller): Promise<AcceptedPatch> {
    return this.runs.patch(id, dto, caller);
  }
}
