import { DynamicModule, Module, Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuthModule } from '@runstream/auth';
import { ClickHouseModule, ClickHouseStore, clickhouseProbe } from '@runstream/clickhouse';
import { BodyShapeInterceptor, BodyShapeLimits, HealthController, MAX_BODY_DEPTH, READINESS_PROBES } from '@runstream/http';
import { TerminusModule } from '@nestjs/terminus';
import { MAX_JOB_ENV_VARS } from '@runstream/events';
import { createKafka, KafkajsPublisher } from '@runstream/kafka';
import { AppMetrics } from '@runstream/observability';
import { backendProviders } from './backend.providers';
import { CONTROL_CONFIG, ControlConfig } from './config/control.config';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { DeliveriesService } from './deliveries/deliveries.service';
import { ControlEventLog } from './events/control-event-log';
import { JOBS_DEAD_LETTER_PUBLISHER, JobsDeadLetters } from './jobs/fold/jobs-dead-letters';
import { JobsFoldConsumer } from './jobs/fold/jobs-fold.consumer';
import { JobsFoldService } from './jobs/fold/jobs-fold.service';
import { JobCommandsService } from './jobs/job-commands.service';
import { JobsController } from './jobs/jobs.controller';
import { JobsService } from './jobs/jobs.service';
import { TriggerService } from './jobs/trigger.service';
import { LiveJobsController } from './live-jobs/live-jobs.controller';
import { RunStarter } from './runs/run-starter';

export interface ControlExtensions {
  /** More providers and controllers, for tests; they may inject RunStarter, ClickHouseStore, CONTROL_CONFIG. */
  providers?: Provider[];
  controllers?: DynamicModule['controllers'];
}

/** A job body's largest object is its environment; nothing nests deeper than resources.limits.cpu. */
export const CONTROL_BODY_SHAPE: BodyShapeLimits = { maxDepth: MAX_BODY_DEPTH, maxArrayItems: 256, maxObjectKeys: MAX_JOB_ENV_VARS };

/** The control plane: the Jobs API, live executions, the job event log, the jobs fold and the execution backend. */
@Module({})
export class ControlModule {
  static forRoot(config: ControlConfig, extensions: ControlExtensions = {}): DynamicModule {
    return {
      module: ControlModule,
      imports: [ClickHouseModule.forRoot(config.clickhouse), AuthModule, TerminusModule],
      controllers: [HealthController, JobsController, DeliveriesController, LiveJobsController, ...(extensions.controllers ?? [])],
      providers: [
        { provide: CONTROL_CONFIG, useValue: config },
        { provide: APP_INTERCEPTOR, useValue: new BodyShapeInterceptor(CONTROL_BODY_SHAPE) },
        ControlEventLog,
        {
          provide: READINESS_PROBES,
          useFactory: (log: ControlEventLog, store: ClickHouseStore) => [log.probe, clickhouseProbe(store)],
          inject: [ControlEventLog, ClickHouseStore],
        },
        {
          provide: JOBS_DEAD_LETTER_PUBLISHER,
          // Its own producer: the fold's dead letters never queue behind the API's writes (ControlEventLog).
          useFactory: (metrics?: AppMetrics) =>
            new KafkajsPublisher(createKafka({ ...config.kafka, clientId: `${config.kafka.clientId}-jobs-dlq` }), {
              topics: [config.kafka.topics.jobDeadLetters],
              observer: metrics,
            }),
          inject: [{ token: AppMetrics, optional: true }],
        },
        JobsDeadLetters,
        JobsFoldService,
        JobsFoldConsumer,
        JobCommandsService,
        JobsService,
        TriggerService,
        DeliveriesService,
        RunStarter,
        ...backendProviders(config),
        ...(extensions.providers ?? []),
      ],
    };
  }
}
