import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@runstream/auth';
import { ClickHouseModule } from '@runstream/clickhouse';
import { AgentController } from './agent/agent.controller';
import { AgentService } from './agent/agent.service';
import { ClaimService } from './agent/claim.service';
import { INGEST_CONFIG, IngestConfig } from './config/ingest.config';
import { EventWriter } from './events/event-writer';
import { RunEventLog } from './events/run-event-log';
import { IdempotencyGuard } from './idempotency/idempotency.guard';
import { HealthController, READINESS_PROBES } from '@runstream/http';
import { TerminusModule } from '@nestjs/terminus';
import { RunController } from './runs/run.controller';
import { RunDirectory } from './runs/run-directory';
import { RunLocks } from './runs/run-locks';
import { RunService } from './runs/run.service';
import { TextScrubber } from './runs/text-scrubber';

@Module({})
export class IngestModule {
  static forRoot(config: IngestConfig): DynamicModule {
    return {
      module: IngestModule,
      imports: [ClickHouseModule.forRoot(config.clickhouse), AuthModule, TerminusModule],
      controllers: [HealthController, RunController, AgentController],
      providers: [
        { provide: INGEST_CONFIG, useValue: config },
        RunEventLog,
        // Kafka only: with ClickHouse away, writes still go to the log (tokens are cached).
        { provide: READINESS_PROBES, useFactory: (log: RunEventLog) => [log.probe], inject: [RunEventLog] },
        EventWriter,
        RunDirectory,
        RunLocks,
        TextScrubber,
        RunService,
        ClaimService,
        AgentService,
        IdempotencyGuard,
      ],
    };
  }
}
