import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { logLevelsFrom } from '@runstream/http';
import { NotifierConfig } from './config/notifier.config';
import { NotifierModule } from './notifier.module';

/** The notifier has no HTTP API (only /metrics and /health): an application context is enough. */
export async function createNotifierApp(config: NotifierConfig, logLevel = 'log', shutdownHooks = true): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(NotifierModule.forRoot(config), { logger: logLevelsFrom(logLevel) });
  if (shutdownHooks) app.enableShutdownHooks();
  return app;
}
