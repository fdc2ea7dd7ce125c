import { DynamicModule, Module } from '@nestjs/common';
import { ClickHouseModule } from '@runstream/clickhouse';
import { AppMetrics, ObservabilityModule } from '@runstream/observability';
import { NOTIFIER_CONFIG, NotifierConfig } from './config/notifier.config';
import { NotifierMetricsServer } from './metrics/metrics.server';
import { NotifierMetrics } from './metrics/notifier.metrics';
import { notifierProviders } from './notifier.providers';
import { NotifierService } from './notifier.service';

/** The notifier: run outcomes of jobs → signed webhooks and Slack alerts (docs/notifications.md). */
@Module({})
export class NotifierModule {
  static forRoot(config: NotifierConfig): DynamicModule {
    return {
      module: NotifierModule,
      imports: [ObservabilityModule.forRoot(new AppMetrics('notifier')), ClickHouseModule.forRoot(config.clickhouse)],
      providers: [{ provide: NOTIFIER_CONFIG, useValue: config }, NotifierMetrics, ...notifierProviders, NotifierService, NotifierMetricsServer],
    };
  }
}
