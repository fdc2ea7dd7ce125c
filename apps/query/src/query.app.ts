import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp, logLevelsFrom, setupOpenApi } from '@runstream/http';
import { AppMetrics } from '@runstream/observability';
import { QueryConfig } from './config/query.config';
import { QueryExceptionFilter } from './overload/query-exception.filter';
import { QueryModule } from './query.module';
import { registerControlProxy } from './web/control-proxy';
import { registerWebApp } from './web/web-app';

export async function createQueryApp(config: QueryConfig, shutdownHooks = true): Promise<NestFastifyApplication> {
  const app = await createHttpApp(QueryModule.forRoot(config), {
    logLevels: logLevelsFrom(config.http.logLevel),
    logFormat: config.http.logFormat,
    metrics: new AppMetrics('query'),
    shutdownHooks,
    ...config.limits,
  });
  // Registered after the platform's filter so it sees errors first; it hands every answer back to that filter.
  app.useGlobalFilters(new QueryExceptionFilter());
  setupOpenApi(app, 'Runstream read API', 'Runs, daily stats, model executions and stats, organisation stats. See docs/read-api.md.');
  await registerControlProxy(app, config.controlUrl);
  await registerWebApp(app, config.webDir);
  return app;
}
