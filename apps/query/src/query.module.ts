import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@runstream/auth';
import { ClickHouseModule } from '@runstream/clickhouse';
import { QueryConfig } from './config/query.config';
import { HealthController } from '@runstream/http';
import { ExecutionController } from './executions/execution.controller';
import { ExecutionRepository } from './executions/execution.repository';
import { ExecutionService } from './executions/execution.service';
import { ExecutionStatsController } from './org-stats/execution-stats.controller';
import { ExecutionStatsService } from './org-stats/execution-stats.service';
import { EltRunController, RunDetailController } from './runs/run-detail.controller';
import { RunController } from './runs/run.controller';
import { RunRepository } from './runs/run.repository';
import { RunService } from './runs/run.service';

@Module({})
export class QueryModule {
  static forRoot(config: QueryConfig): DynamicModule {
    return {
      module: QueryModule,
      imports: [ClickHouseModule.forRoot(config.clickhouse), AuthModule],
      controllers: [HealthController, RunController, RunDetailController, EltRunController, ExecutionController, ExecutionStatsController],
      providers: [RunRepository, RunService, ExecutionRepository, ExecutionService, ExecutionStatsService],
    };
  }
}
