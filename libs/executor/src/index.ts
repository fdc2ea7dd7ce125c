/**
 * Executing a run's program and reporting it through the write API's gateway routes: what the
 * runner agent (apps/agent) does for each run it claims, and a Kubernetes job pod's runner
 * (apps/runner) for its one run.
 */
export { IngestClient, IngestUnavailableError } from './ingest-client';
export type { IngestAnswer, RequestOptions } from './ingest-client';
export type { Outcome } from './outcome';
export type { ExecutorLogger, FinalStatus } from './run-reporter';
export { RunTask } from './run-task';
export type { ExecutorRole, ListedRun, RunTaskContext, RunTaskSettings } from './run-task';
