import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { classifyClickHouseFailure } from '@runstream/clickhouse';
import { createHttpApp, logLevelsFrom, setupOpenApi } from '@runstream/http';
import { ControlConfig } from './config/control.config';
import { AppMetrics } from '@runstream/observability';
import { CONTROL_BODY_SHAPE, ControlExtensions, ControlModule } from './control.module';

/** What the app's OpenAPI document (/docs, /docs-json) says it is; the API type generators build the same document. */
export const CONTROL_OPENAPI = { title: 'Runstream control API', description: 'Jobs: definitions, triggers. See docs/jobs.md.' };

export async function createControlApp(config: ControlConfig, shutdownHooks = true, extensions: ControlExtensions = {}): Promise<NestFastifyApplication> {
  const app = await createHttpApp(ControlModule.forRoot(config, extensions), {
    logLevels: logLevelsFrom(config.http.logLevel),
    logFormat: config.http.logFormat,
    metrics: new AppMetrics('control'),
    shutdownHooks,
    classifyFailure: classifyClickHouseFailure,
    bodyShape: CONTROL_BODY_SHAPE,
    ...config.limits,
  });
  setupOpenApi(app, CONTROL_OPENAPI.title, CONTROL_OPENAPI.description);
  return app;
}
