import { DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuthModule } from '@runstream/auth';
import { ClickHouseModule } from '@runstream/clickhouse';
import { AgentController } from './agent/agent.controller';
import { AgentService } from './agent/agent.service';
import { ClaimService } from './agent/claim.service';
import { INGEST_CONFIG, IngestConfig } from './config/ingest.config';
import { EventWriter } from './events/event-writer';
import { RunEventLog } from './events/run-event-log';
import { BodyShapeInterceptor } from './http/body-shape.interceptor';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { HealthController } from '@runstream/http';
import { RunController } from './runs/run.controller';
import { RunDirectory } from './runs/run-directory';
import { RunLocks } from './runs/run-locks';
import { RunService } from './runs/run.service';

@Module({})
export class IngestModule {
  static forRoot(config: IngestConfig): DynamicModule {
    return {
      module: IngestModule,
      imports: [ClickHouseModule.forRoot(config.clickhouse), AuthModule],
      controllers: [HealthController, RunController, AgentController],
      providers: [
        { provide: INGEST_CONFIG, useValue: config },
        // Before the idempotency fingerprint and the validation pipe walk the body.
        { provide: APP_INTERCEPTOR, useClass: BodyShapeInterceptor },
        RunEventLog,
        EventWriter,
        RunDirectory,
        RunLocks,
        RunService,
        ClaimService,
        AgentService,
        IdempotencyInterceptor,
      ],
    };
  }
}
