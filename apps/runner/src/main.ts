import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { configureStandaloneLogging } from '@runstream/observability';
import { loadRunnerConfig } from './runner.config';
import { STOPPED_EXIT_CODE } from './pod-run';
import { startPod } from './runner';

/**
 * The runner image's entrypoint (docs/kubernetes.md): runs its arguments as the job's program
 * and reports the run; exits with the program's code. SIGTERM (the pod terminating) ends the
 * program and reports the run `cancelled`.
 */
function main(): void {
  const config = loadRunnerConfig();
  configureStandaloneLogging('runner', config.log);
  const argv = process.argv.slice(2);
  const logger = new Logger('runner');
  const pod = startPod(config, argv, { logger });
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) {
        // A second signal: leave now; the lease sweeper ends the run if it was claimed.
        logger.warn(`${signal} again: exiting without waiting for the report`);
        process.exit(STOPPED_EXIT_CODE);
      }
      stopping = true;
      logger.log(`${signal}: ending the program and reporting the run cancelled`);
      pod.stop(`pod terminated (${signal})`);
    });
  }
  pod.exitCode.then(
    (code) => process.exit(code),
    (error: unknown) => {
      logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
