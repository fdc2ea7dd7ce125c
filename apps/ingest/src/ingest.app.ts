import { createHttpApp, logLevelsFrom, setupOpenApi } from '@runstream/http';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { IngestConfig } from './config/ingest.config';
import { IngestModule } from './ingest.module';
import { AppMetrics } from '@runstream/observability';
import { INGEST_FAST_VALIDATORS } from './runs/dto/write-validators';
import { INGEST_BODY_SHAPE } from './http/write-guards';

/** What the app's OpenAPI document (/docs, /docs-json) says it is; the API type generators build the same document. */
export const INGEST_OPENAPI = {
  title: 'Runstream write API',
  description: 'Runner write API: runs, logs, telemetry, model executions, agents. See docs/write-api.md.',
};

export async function createIngestApp(config: IngestConfig, shutdownHooks = true): Promise<NestFastifyApplication> {
  const app = await createHttpApp(IngestModule.forRoot(config), {
    bodyLimitBytes: config.http.bodyLimitBytes,
    logLevels: logLevelsFrom(config.http.logLevel),
    logFormat: config.http.logFormat,
    metrics: new AppMetrics('ingest'),
    shutdownHooks,
    fastValidators: INGEST_FAST_VALIDATORS,
    bodyShape: INGEST_BODY_SHAPE,
    ...config.limits,
  });
  setupOpenApi(app, INGEST_OPENAPI.title, INGEST_OPENAPI.description);
  return app;
}
