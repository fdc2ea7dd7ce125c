import { DynamicModule, Module, Provider } from '@nestjs/common';
import { AuthModule } from '@runstream/auth';
import { ClickHouseModule } from '@runstream/clickhouse';
import { HealthController } from '@runstream/http';
import { backendProviders } from './backend.providers';
import { CONTROL_CONFIG, ControlConfig } from './config/control.config';
import { ControlEventLog } from './events/control-event-log';
import { JobsFoldConsumer } from './jobs/fold/jobs-fold.consumer';
import { JobsFoldService } from './jobs/fold/jobs-fold.service';
import { JobCommandsService } from './jobs/job-commands.service';
import { JobsController } from './jobs/jobs.controller';
import { JobsService } from './jobs/jobs.service';
import { TriggerService } from './jobs/trigger.service';
import { LiveJobsController } from './live-jobs/live-jobs.controller';
import { RunStarter } from './runs/run-starter';

export interface ControlExtensions {
  /** More providers (the scheduler, the Kubernetes reconciler); they may inject RunStarter, ClickHouseStore, CONTROL_CONFIG. */
  providers?: Provider[];
  controllers?: DynamicModule['controllers'];
}

/** The control plane: the Jobs API, live executions, the job event log, the jobs fold and the execution backend. */
@Module({})
export class ControlModule {
  static forRoot(config: ControlConfig, extensions: ControlExtensions = {}): DynamicModule {
    return {
      module: ControlModule,
      imports: [ClickHouseModule.forRoot(config.clickhouse), AuthModule],
      controllers: [HealthController, JobsController, LiveJobsController, ...(extensions.controllers ?? [])],
      providers: [
        { provide: CONTROL_CONFIG, useValue: config },
        ControlEventLog,
        JobsFoldService,
        JobsFoldConsumer,
        JobCommandsService,
        JobsService,
        TriggerService,
        RunStarter,
        ...backendProviders(config),
        ...(extensions.providers ?? []),
      ],
    };
  }
}
