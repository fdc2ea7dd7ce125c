import { Injectable, Logger } from '@nestjs/common';

/**
 * The one way the materializer gives up: it logs why and ends the process with status 1, so a
 * supervisor (Kubernetes, systemd) starts a fresh one that rejoins the group and replays from the
 * last commit. Sitting idle while holding partitions would stall them with nobody told. Under
 * `npm start` every app shares the process, so this stops them all, which the log line says.
 * Tests replace `exit` (jest.spyOn) to observe the decision without ending jest.
 */
@Injectable()
export class FatalExit {
  private readonly logger = new Logger('Materializer');

  exit(error: Error): void {
    this.logger.fatal(`FATAL: the materializer gives up and ends the process (exit status 1) so a supervisor restarts it: ${error.message}`);
    process.exit(1);
  }
}
