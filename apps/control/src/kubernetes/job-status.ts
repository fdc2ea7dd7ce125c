import type { V1Job } from './kubernetes.client';
import type { LiveJobStatus } from './live-jobs';

/** A Job's state from its conditions first (authoritative once set), then its pod counters. */
export function liveJobStatus(job: V1Job): LiveJobStatus {
  const conditions = job.status?.conditions ?? [];
  const holds = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
  if (holds('Complete') || holds('SuccessCriteriaMet')) return 'success';
  if (holds('Failed') || holds('FailureTarget')) return 'failed';
  if ((job.status?.active ?? 0) > 0 || (job.status?.ready ?? 0) > 0) return 'running';
  if ((job.status?.succeeded ?? 0) > 0) return 'success';
  if ((job.status?.failed ?? 0) > 0) return 'failed';
  return 'pending';
}

/** The client library deserialises times to Date; the API speaks RFC 3339 without milliseconds. */
export function rfc3339(time: Date | string | undefined): string | null {
  if (time === undefined) return null;
  const date = typeof time === 'string' ? new Date(time) : time;
  return Number.isNaN(date.getTime()) ? null : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
