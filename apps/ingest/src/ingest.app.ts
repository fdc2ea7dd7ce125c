import { createHttpApp, logLevelsFrom } from '@runstream/http';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { IngestConfig } from './config/ingest.config';
import { IngestModule } from './ingest.module';

export function createIngestApp(config: IngestConfig, shutdownHooks = true): Promise<NestFastifyApplication> {
  return createHttpApp(IngestModule.forRoot(config), { bodyLimitBytes: config.http.bodyLimitBytes, logLevels: logLevelsFrom(config.http.logLevel), shutdownHooks });
}
