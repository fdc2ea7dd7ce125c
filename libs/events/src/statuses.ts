/** Canonical run statuses (docs/events.md). */
export const RUN_STATUSES = ['pending', 'running', 'success', 'partial', 'failed', 'error', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set(['success', 'partial', 'failed', 'error', 'cancelled']);

/**
 * Runner vocabulary (docs/write-api.md) and the canonical names, both
 * accepted on writes; stored and served canonical.
 */
export const RUNNER_STATUS_MAP: Readonly<Record<string, RunStatus>> = {
  queued: 'pending',
  pending: 'pending',
  running: 'running',
  succeeded: 'success',
  success: 'success',
  partial: 'partial',
  failed: 'failed',
  error: 'error',
  cancelled: 'cancelled',
  canceled: 'cancelled',
};

export const ACCEPTED_STATUS_WORDS = Object.keys(RUNNER_STATUS_MAP);

export function toCanonicalStatus(word: string): RunStatus | undefined {
  return RUNNER_STATUS_MAP[word];
}

export function isTerminal(status: RunStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

export const JOB_TYPES = ['plan', 'run', 'janitor'] as const;
export type JobType = (typeof JOB_TYPES)[number];

export const TRIGGERS = ['scheduled', 'manual'] as const;
export type TriggeredBy = (typeof TRIGGERS)[number];
