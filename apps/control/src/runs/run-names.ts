import { createHash } from 'node:crypto';

/** `<project>-<job>-<YYYYMMDD-HHMMSS>` in UTC, the reference's job run name. */
export function runJobName(projectId: string, jobName: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${projectId}-${jobName}-${stamp}`;
}

/** 8 hex of a run id's SHA-256: what tells apart two runs of one job named in the same second. */
export function runIdTag(runId: string): string {
  return createHash('sha256').update(runId).digest('hex').slice(0, 8);
}
