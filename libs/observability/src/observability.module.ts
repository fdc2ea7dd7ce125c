import { DynamicModule, Module } from '@nestjs/common';
import { STATEMENT_OBSERVER } from '@runstream/clickhouse';
import { AppMetrics } from './app-metrics';

/**
 * Makes an app's metrics injectable everywhere and has ClickHouse statements timed, for the
 * apps without an HTTP API (the HTTP apps get the same from createHttpApp's `metrics`).
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
