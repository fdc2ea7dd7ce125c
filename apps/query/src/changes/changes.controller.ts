import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse } from '@nestjs/swagger';
import { Caller, CurrentCaller } from '@runstream/http';
import { ProjectIdParams } from '../runs/dto/project-id.params';
import { ChangesPageSchema, ExecutionChangeSchema, RunChangeSchema } from './changes.schemas';
import { ChangesPage, ChangesService } from './changes.service';
import { ChangesQueryDto } from './dto/changes.query.dto';

/** The change feed, per project and organisation-wide (docs/change-feed.md). */
@ApiExtraModels(RunChangeSchema, ExecutionChangeSchema)
@Controller('api/v1')
export class ChangesController {
  constructor(private readonly changes: ChangesService) {}

  @Get('projects/:id/changes')
  @ApiOkResponse({ type: ChangesPageSchema })
  project(@Param() { id }: ProjectIdParams, @Query() query: ChangesQueryDto, @CurrentCaller() caller: Caller): Promise<ChangesPage> {
    return this.changes.page(caller, id, query);
  }

  @Get('changes')
  @ApiOkResponse({ type: ChangesPageSchema })
  organisation(@Query() query: ChangesQueryDto, @CurrentCaller() caller: Caller): Promise<ChangesPage> {
    return this.changes.page(caller, undefined, query);
  }
}
