import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { logLevelsFrom } from '@runstream/http';
import { MaterializerConfig } from './config/materializer.config';
import { MaterializerModule } from './materializer.module';

/** The materializer has no HTTP surface of its own: an application context is enough. */
export async function createMaterializerApp(config: MaterializerConfig, logLevel = 'log', shutdownHooks = true): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(MaterializerModule.forRoot(config), { logger: logLevelsFrom(logLevel) });
  if (shutdownHooks) app.enableShutdownHooks();
  return app;
}
