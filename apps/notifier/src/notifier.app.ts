import { INestApplicationContext } from '@nestjs/common';
import { logLevelsFrom } from '@runstream/http';
import { createLoggedContext } from '@runstream/observability';
import { NotifierConfig } from './config/notifier.config';
import { NotifierModule } from './notifier.module';

/** The notifier has no HTTP API (only /metrics and /health): an application context is enough. */
export async function createNotifierApp(config: NotifierConfig, logLevel = 'log', shutdownHooks = true): Promise<INestApplicationContext> {
  const app = await createLoggedContext('notifier', NotifierModule.forRoot(config), logLevelsFrom(logLevel), config.log.format);
  if (shutdownHooks) app.enableShutdownHooks();
  return app;
}
