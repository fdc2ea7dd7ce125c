import { parseCommand } from '../jobs/validation/command';
import type { ArgvParser } from './kubernetes-job-row';

/** The argv job validation accepted; a row that no longer parses fails its reconcile, visibly. */
export const jobArgv: ArgvParser = (command) => {
  const parsed = parseCommand(command);
  if (!parsed.ok) throw new Error(`command ${parsed.reason}`);
  return parsed.argv;
};
