import { DynamicModule, Module } from '@nestjs/common';
import { STATEMENT_OBSERVER } from '@runstream/clickhouse';
import { AppMetrics } from './app-metrics';

/**
 * Makes an app's metrics injectable everywhere and has ClickHouse statements timed: imported by
 * the apps without an HTTP API, and by createHttpApp for those with one (its `metrics` option).
 */
@Module({})
export class ObservabilityModule {
  static forRoot(metrics: AppMetrics): DynamicModule {
    const providers = [
      { provide: AppMetrics, useValue: metrics },
      { provide: STATEMENT_OBSERVER, useValue: metrics },
    ];
    return { module: ObservabilityModule, global: true, providers, exports: providers.map((provider) => provider.provide) };
  }
}
