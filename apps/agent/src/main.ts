import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadEnv, logConfig, LogEnv } from '@runstream/config';
import { configureStandaloneLogging } from '@runstream/observability';
import { startAgent } from './agent';
import { loadAgentConfig } from './config';

/** `npm run agent`: runs until SIGTERM/SIGINT, then reports its running runs `cancelled` and exits 0. */
function main(): void {
  const config = loadAgentConfig();
  configureStandaloneLogging('agent', logConfig(loadEnv({ log: LogEnv }).log));
  const agent = startAgent(config);
  const logger = new Logger('agent');
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second Ctrl-C: leave now, taking the programs along (their own process groups would not
      // hear the signal); the lease sweeper ends the runs not reported.
      logger.warn(`${signal} again: killing running programs and exiting without waiting for reports`);
      agent.kill();
      process.exit(1);
    }
    stopping = true;
    logger.log(`${signal}: stopping running programs and reporting their runs cancelled`);
    agent.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(error instanceof Error ? error.message : String(error));
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
