import { Controller, Get, Param, Query } from '@nestjs/common';
import { Caller, CurrentCaller } from '@runstream/http';
import { ProjectIdParams } from '../runs/dto/project-id.params';
import { ChangesPage, ChangesService } from './changes.service';
import { ChangesQueryDto } from './dto/changes.query.dto';

/** The change feed, per project and organisation-wide (docs/change-feed.md). */
@Controller('api/v1')
export class ChangesController {
  constructor(private readonly changes: ChangesService) {}

  @Get('projects/:id/changes')
  project(@Param() { id }: ProjectIdParams, @Query() query: ChangesQueryDto, @CurrentCaller() caller: Caller): Promise<ChangesPage> {
    return this.changes.page(caller, id, query);
  }

  @Get('changes')
  organisation(@Query() query: ChangesQueryDto, @CurrentCaller() caller: Caller): Promise<ChangesPage> {
    return this.changes.page(caller, undefined, query);
  }
}
