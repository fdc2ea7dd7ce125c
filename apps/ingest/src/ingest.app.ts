import { classifyClickHouseFailure } from '@runstream/clickhouse';
import { createHttpApp, logLevelsFrom, registerForwardedRoutes, setupOpenApi } from '@runstream/http';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { IngestConfig } from './config/ingest.config';
import { IngestModule } from './ingest.module';
import { AppMetrics } from '@runstream/observability';
import { INGEST_FAST_VALIDATORS } from './runs/dto/write-validators';
import { INGEST_BODY_SHAPE } from './http/write-guards';

/** GETs under this prefix are the read API's (GET /api/elt/runs/:id), forwarded to the query app. */
export const ELT_RUNS_PREFIX = '/api/elt/runs';

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
    classifyFailure: classifyClickHouseFailure,
    fastValidators: INGEST_FAST_VALIDATORS,
    bodyShape: INGEST_BODY_SHAPE,
    ...config.limits,
  });
  setupOpenApi(app, INGEST_OPENAPI.title, INGEST_OPENAPI.description);
  // The reference's run resource is one path: PATCH it here and GET it back from the same base URL (the query app answers the GET).
  await registerForwardedRoutes(app, { upstream: config.queryUrl, prefixes: [ELT_RUNS_PREFIX], methods: ['GET'], name: 'the read API (query app)' });
  return app;
}
