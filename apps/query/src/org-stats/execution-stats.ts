import { fromChDateTime, OrgRunGroupRow, RunRow } from '@runstream/clickhouse';

/** The endpoint's status enum (docs/read-api.md). */
export const EXECUTION_STATUSES = [
  'awaiting_payment',
  'payment_confirmed',
  'workflow_queued',
  'workflow_running',
  'workflow_waiting',
  'workflow_succeeded',
  'workflow_failed',
  'workflow_cancelled',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/**
 * Our statuses on its enum. A pending run is queued until a gateway claims it, then waiting;
 * partial counts as failed (some of the work did not succeed). The payment statuses never occur.
 */
export function toExecutionStatus(status: string, claimed: boolean): ExecutionStatus {
  switch (status) {
    case 'pending':
      return claimed ? 'workflow_waiting' : 'workflow_queued';
    case 'running':
      return 'workflow_running';
    case 'success':
      return 'workflow_succeeded';
    case 'cancelled':
      return 'workflow_cancelled';
    default:
      return 'workflow_failed';
  }
}

interface Counts {
  succeeded: number;
  failed: number;
  cancelled: number;
  total: number;
}

const zero = (): Counts => ({ succeeded: 0, failed: 0, cancelled: 0, total: 0 });

function add(counts: Counts, status: ExecutionStatus, runs: number): void {
  counts.total += runs;
  if (status === 'workflow_succeeded') counts.succeeded += runs;
  if (status === 'workflow_failed') counts.failed += runs;
  if (status === 'workflow_cancelled') counts.cancelled += runs;
}

export interface ExecutionStatsData {
  granularity: string;
  recentFailures: {
    createdAt: string;
    executionId: string;
    finishedAt: string | null;
    runId: string;
    sourceSystem: string;
    status: ExecutionStatus;
    statusReason: string;
    workflowId: string;
  }[];
  sourceSystems: ({ sourceSystem: string } & Counts)[];
  statuses: { count: number; status: ExecutionStatus }[];
  summary: {
    averageDurationMs: number;
    cancelled: number;
    failed: number;
    inProgress: number;
    succeeded: number;
    successRate: number;
    terminal: number;
    total: number;
  };
  timeSeries: ({ bucketStart: string } & Counts)[];
}

export type Granularity = 'hourly' | 'daily';

const BUCKET_MS: Record<Granularity, number> = { hourly: 3_600_000, daily: 86_400_000 };

/** The longest from..to: 31 days of hourly buckets, 366 days of daily ones, however the range is aligned. */
export const MAX_SPAN_MS: Record<Granularity, number> = { hourly: 31 * 86_400_000, daily: 366 * 86_400_000 };

/** The most buckets a range within MAX_SPAN_MS spans: one more than fit, when it starts and ends mid-bucket. */
export const MAX_BUCKETS: Record<Granularity, number> = {
  hourly: MAX_SPAN_MS.hourly / BUCKET_MS.hourly + 1,
  daily: MAX_SPAN_MS.daily / BUCKET_MS.daily + 1,
};

/** How many buckets [from, to) spans, from the one holding `from`; arithmetic, so any range costs nothing to check. */
export function bucketCount(from: number, to: number, granularity: Granularity): number {
  if (to <= from) return 0;
  const size = BUCKET_MS[granularity];
  return Math.ceil((to - Math.floor(from / size) * size) / size);
}

/** Bucket starts from the one holding `from` up to before `to`, every bucket present; refuses more than MAX_BUCKETS. */
export function bucketStarts(from: number, to: number, granularity: Granularity): number[] {
  const count = bucketCount(from, to, granularity);
  if (count > MAX_BUCKETS[granularity]) throw new RangeError(`${count} ${granularity} buckets exceed ${MAX_BUCKETS[granularity]}`);
  const size = BUCKET_MS[granularity];
  const first = Math.floor(from / size) * size;
  return Array.from({ length: count }, (_, i) => first + i * size);
}

/** What is wrong with a stats window, by field; empty when it may be served. */
export function statsWindowProblems(from: number, to: number, granularity: Granularity): { field: string; reasons: string[] }[] {
  if (to <= from) return [{ field: 'to', reasons: ['to must be after from'] }];
  if (to - from <= MAX_SPAN_MS[granularity]) return [];
  const days = (to - from) / 86_400_000;
  const reason =
    granularity === 'hourly'
      ? `from..to spans ${days.toFixed(1)} days; hourly buckets cover at most 31 days per request (narrow the range or use daily granularity)`
      : `from..to spans ${days.toFixed(1)} days; daily buckets cover at most 366 days per request (narrow the range)`;
  return [{ field: 'to', reasons: [reason] }];
}

export function buildExecutionStats(groups: OrgRunGroupRow[], failures: RunRow[], from: number, to: number, granularity: Granularity): ExecutionStatsData {
  const statusCounts = new Map<ExecutionStatus, number>(EXECUTION_STATUSES.map((s) => [s, 0]));
  const bySource = new Map<string, Counts>();
  const byBucket = new Map<number, Counts>(bucketStarts(from, to, granularity).map((start) => [start, zero()]));
  const summary = zero();
  let durationSum = 0;
  let durationCount = 0;
  for (const group of groups) {
    const status = toExecutionStatus(group.status, Boolean(Number(group.claimed)));
    const runs = Number(group.runs);
    statusCounts.set(status, (statusCounts.get(status) ?? 0) + runs);
    add(summary, status, runs);
    const source = bySource.get(group.project_id) ?? zero();
    add(source, status, runs);
    bySource.set(group.project_id, source);
    const bucket = byBucket.get(Date.parse(`${group.bucket.replace(' ', 'T')}Z`));
    if (bucket) add(bucket, status, runs);
    if (status === 'workflow_succeeded' || status === 'workflow_failed' || status === 'workflow_cancelled') {
      durationSum += Number(group.duration_sum);
      durationCount += Number(group.duration_count);
    }
  }
  const terminal = summary.succeeded + summary.failed + summary.cancelled;
  return {
    granularity,
    recentFailures: failures.map((run) => ({
      createdAt: fromChDateTime(run.created_at),
      executionId: run.id,
      finishedAt: fromChDateTime(run.end_time),
      runId: run.id,
      sourceSystem: run.project_id,
      status: toExecutionStatus(run.status, run.claimed_by !== ''),
      statusReason: run.error_summary,
      workflowId: run.cronjob_name || run.job_name,
    })),
    sourceSystems: [...bySource]
      .map(([sourceSystem, counts]) => ({ sourceSystem, ...counts }))
      .sort((a, b) => b.total - a.total || a.sourceSystem.localeCompare(b.sourceSystem)),
    statuses: [...statusCounts].map(([status, count]) => ({ count, status })),
    summary: {
      averageDurationMs: durationCount === 0 ? 0 : Math.round((durationSum / durationCount) * 1000),
      cancelled: summary.cancelled,
      failed: summary.failed,
      inProgress: (statusCounts.get('workflow_queued') ?? 0) + (statusCounts.get('workflow_waiting') ?? 0) + (statusCounts.get('workflow_running') ?? 0),
      succeeded: summary.succeeded,
      successRate: terminal === 0 ? 0 : Math.round((summary.succeeded / terminal) * 10_000) / 10_000,
      terminal,
      total: summary.total,
    },
    timeSeries: [...byBucket].map(([start, counts]) => ({ bucketStart: new Date(start).toISOString(), ...counts })),
  };
}
