import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp, logLevelsFrom } from '@runstream/http';
import { QueryConfig } from './config/query.config';
import { QueryModule } from './query.module';

export function createQueryApp(config: QueryConfig): Promise<NestFastifyApplication> {
  return createHttpApp(QueryModule.forRoot(config), { logLevels: logLevelsFrom(config.http.logLevel) });
}
