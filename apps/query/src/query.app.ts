import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { classifyClickHouseFailure } from '@runstream/clickhouse';
import { createHttpApp, logLevelsFrom, setupOpenApi } from '@runstream/http';
import { AppMetrics } from '@runstream/observability';
import { QueryConfig } from './config/query.config';
import { QueryModule } from './query.module';
import { registerControlProxy } from './web/control-proxy';
import { registerWebApp } from './web/web-app';

/** What the app's OpenAPI document (/docs, /docs-json) says it is; the API type generators build the same document. */
export const QUERY_OPENAPI = {
  title: 'Runstream read API',
  description: 'Runs, daily stats, model executions and stats, organisation stats. See docs/read-api.md.',
};

export async function createQueryApp(config: QueryConfig, shutdownHooks = true): Promise<NestFastifyApplication> {
  const app = await createHttpApp(QueryModule.forRoot(config), {
    logLevels: logLevelsFrom(config.http.logLevel),
    logFormat: config.http.logFormat,
    metrics: new AppMetrics('query'),
    shutdownHooks,
    classifyFailure: classifyClickHouseFailure,
    ...config.limits,
  });
  setupOpenApi(app, QUERY_OPENAPI.title, QUERY_OPENAPI.description);
  await registerControlProxy(app, config.controlUrl);
  await registerWebApp(app, config.webDir);
  return app;
}
