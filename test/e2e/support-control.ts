import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { listenUrl } from '@runstream/http';
import { loadControlConfig } from '../../apps/control/src/config/control.config';
import { createControlApp } from '../../apps/control/src/control.app';
import { Stack } from '../support/stack';

export interface ControlInstance {
  url: string;
  app: NestFastifyApplication;
}

/**
 * A control app next to a started stack: same env (Kafka topic prefix, chDB directory and
 * database), its jobs fold in a consumer group of its own per stack. Several instances share
 * that group, as production replicas do. The scheduler is off unless a test turns it on.
 */
export async function startControl(stack: Stack, overrides: NodeJS.ProcessEnv = {}): Promise<ControlInstance> {
  const env = {
    ...stack.env,
    CONTROL_JOBS_GROUP_ID: `${stack.env.MATERIALIZER_GROUP_ID}-control-jobs`,
    CONTROL_MATERIALIZER_GROUP_ID: stack.env.MATERIALIZER_GROUP_ID,
    // The wall-clock scheduler would fire real ticks into tests that drive their own clock.
    CONTROL_SCHEDULER_ENABLED: 'false',
    ...overrides,
  };
  const app = await createControlApp(loadControlConfig(env), false);
  const url = await listenUrl(app, 0, '127.0.0.1');
  return { url, app };
}
