import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp, logLevelsFrom, setupOpenApi } from '@runstream/http';
import { ControlConfig } from './config/control.config';
import { AppMetrics } from '@runstream/observability';
import { ControlExtensions, ControlModule } from './control.module';

export async function createControlApp(config: ControlConfig, shutdownHooks = true, extensions: ControlExtensions = {}): Promise<NestFastifyApplication> {
  const app = await createHttpApp(ControlModule.forRoot(config, extensions), {
    logLevels: logLevelsFrom(config.http.logLevel),
    logFormat: config.http.logFormat,
    metrics: new AppMetrics('control'),
    shutdownHooks,
    ...config.limits,
  });
  setupOpenApi(app, 'Runstream control API', 'Jobs: definitions, triggers. See docs/jobs.md.');
  return app;
}
