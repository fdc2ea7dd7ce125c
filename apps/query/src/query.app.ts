import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp, logLevelsFrom } from '@runstream/http';
import { QueryConfig } from './config/query.config';
import { QueryModule } from './query.module';

export function createQueryApp(config: QueryConfig, shutdownHooks = true): Promise<NestFastifyApplication> {
  return createHttpApp(QueryModule.forRoot(config), { logLevels: logLevelsFrom(config.http.logLevel), shutdownHooks });
}
