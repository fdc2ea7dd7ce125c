/**
 * What GET /api/v1/jobs, /api/v1/jobs/:id and /api/v1/jobs/:id/logs read: the live executions of
 * one organisation. The Kubernetes backend answers from Job objects and pod logs; the local
 * backend can answer the same from the agent's runs and their stored log lines.
 */
export type LiveJobStatus = 'pending' | 'running' | 'success' | 'failed';
export const LIVE_JOB_STATUSES: readonly LiveJobStatus[] = ['pending', 'running', 'success', 'failed'];

/** One item of `{ jobs, total }` (reference shape). */
export interface LiveJob {
  /** The execution's name (Kubernetes Job name = the run's job_name). */
  id: string;
  /** The project id. */
  project: string;
  status: LiveJobStatus;
  /** RFC 3339 UTC, null until it started. */
  start_time: string | null;
}

/** GET /api/v1/jobs/:id: the list item and what else is known. */
export interface LiveJobDetail extends LiveJob {
  job_id: string;
  run_id: string | null;
  completion_time: string | null;
  namespace: string;
}

export interface LiveJobFilter {
  status?: LiveJobStatus;
  project?: string;
  /** Already validated by the controller (1..max). */
  limit: number;
}

export interface LiveJobLogs {
  id: string;
  /** The pod read; null while the Job has none yet. */
  pod: string | null;
  lines: string[];
}

export interface LiveJobsSource {
  /** Newest first; `total` counts every match before `limit`. */
  list(orgId: string, filter: LiveJobFilter): Promise<{ jobs: LiveJob[]; total: number }>;
  /** Undefined: no such execution in this organisation (404). */
  get(orgId: string, id: string): Promise<LiveJobDetail | undefined>;
  /** The last `tail` lines of its newest pod; undefined: no such execution (404). */
  logs(orgId: string, id: string, tail: number): Promise<LiveJobLogs | undefined>;
}
