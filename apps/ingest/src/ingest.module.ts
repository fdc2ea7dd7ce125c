import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@runstream/auth';
import { ClickHouseModule } from '@runstream/clickhouse';
import { AgentController } from './agent/agent.controller';
import { AgentService } from './agent/agent.service';
import { INGEST_CONFIG, IngestConfig } from './config/ingest.config';
import { RunEventLog } from './events/run-event-log';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { HealthController } from '@runstream/http';
import { RunController } from './runs/run.controller';
import { RunDirectory } from './runs/run-directory';
import { RunService } from './runs/run.service';

@Module({})
export class IngestModule {
  static forRoot(config: IngestConfig): DynamicModule {
    return {
      module: IngestModule,
      imports: [ClickHouseModule.forRoot(config.clickhouse), AuthModule],
      controllers: [HealthController, RunController, AgentController],
      providers: [{ provide: INGEST_CONFIG, useValue: config }, RunEventLog, RunDirectory, RunService, AgentService, IdempotencyInterceptor],
    };
  }
}
