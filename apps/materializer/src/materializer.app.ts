import { INestApplicationContext } from '@nestjs/common';
import { logLevelsFrom } from '@runstream/http';
import { createLoggedContext } from '@runstream/observability';
import { MaterializerConfig } from './config/materializer.config';
import { MaterializerModule } from './materializer.module';

/** The materializer has no HTTP surface of its own: an application context is enough. */
export async function createMaterializerApp(config: MaterializerConfig, logLevel = 'log', shutdownHooks = true): Promise<INestApplicationContext> {
  const app = await createLoggedContext('materializer', MaterializerModule.forRoot(config), logLevelsFrom(logLevel), config.log.format);
  if (shutdownHooks) app.enableShutdownHooks();
  return app;
}
