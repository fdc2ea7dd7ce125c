import { DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuthModule } from '@runstream/auth';
import { ClickHouseModule, ClickHouseStore, clickhouseProbe } from '@runstream/clickhouse';
import { QueryConfig } from './config/query.config';
import { HealthController, READINESS_PROBES } from '@runstream/http';
import { TerminusModule } from '@nestjs/terminus';
import { ExecutionController } from './executions/execution.controller';
import { ExecutionRepository } from './executions/execution.repository';
import { ExecutionService } from './executions/execution.service';
import { ExecutionStatsController } from './org-stats/execution-stats.controller';
import { ExecutionStatsService } from './org-stats/execution-stats.service';
import { QueryGate } from './overload/query-gate';
import { QueryGateInterceptor } from './overload/query-gate.interceptor';
import { EltRunController, RunDetailController } from './runs/run-detail.controller';
import { RunController } from './runs/run.controller';
import { RunRepository } from './runs/run.repository';
import { RunService } from './runs/run.service';
import { sqlModulesFor } from './sql/sql.module';
import { ChecksController } from './checks/checks.controller';
import { ChecksRepository } from './checks/checks.repository';
import { ChecksService } from './checks/checks.service';
import { RunStreamController } from './stream/run-stream.controller';
import { ChangesController } from './changes/changes.controller';
import { ChangesRepository } from './changes/changes.repository';
import { ChangesService } from './changes/changes.service';
import { RUN_STREAM_OPTIONS } from './stream/run-stream.options';
import { streamTokenVerifier, StreamTokenWatch } from './stream/stream-token-watch';
import { RunStreamSource } from './stream/run-stream.source';
import { RunStreams } from './stream/run-streams.service';

@Module({})
export class QueryModule {
  static forRoot(config: QueryConfig): DynamicModule {
    return {
      module: QueryModule,
      imports: [ClickHouseModule.forRoot(config.clickhouse), AuthModule, TerminusModule, ...sqlModulesFor(config)],
      controllers: [
        HealthController,
        RunController,
        RunDetailController,
        EltRunController,
        ExecutionController,
        ExecutionStatsController,
        ChecksController,
        RunStreamController,
        ChangesController,
      ],
      providers: [
        { provide: READINESS_PROBES, useFactory: (store: ClickHouseStore) => [clickhouseProbe(store)], inject: [ClickHouseStore] },
        RunRepository,
        RunService,
        ExecutionRepository,
        ExecutionService,
        ExecutionStatsService,
        ChecksRepository,
        ChecksService,
        RunStreamSource,
        RunStreams,
        StreamTokenWatch,
        streamTokenVerifier,
        ChangesRepository,
        ChangesService,
        { provide: RUN_STREAM_OPTIONS, useValue: config.stream },
        { provide: QueryGate, useValue: new QueryGate(config.gate) },
        { provide: APP_INTERCEPTOR, useClass: QueryGateInterceptor },
      ],
    };
  }
}
