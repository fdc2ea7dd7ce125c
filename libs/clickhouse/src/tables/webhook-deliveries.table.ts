import { z } from 'zod';
import { ClickHouseStore } from '../store';

export const WEBHOOK_DELIVERIES_TABLE = 'webhook_deliveries';

export const WEBHOOK_ATTEMPT_STATUSES = ['delivered', 'retrying', 'failed', 'disabled'] as const;
export type WebhookAttemptStatus = (typeof WEBHOOK_ATTEMPT_STATUSES)[number];

const chDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?$/);
/** UInt64 aggregates (count()) come back quoted. */
const countText = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(Number);

/** A row of `webhook_deliveries` (migration 0021): one webhook attempt. */
const WebhookAttemptRowSchema = z.object({
  org_id: z.string(),
  project_id: z.string(),
  job_id: z.string(),
  run_id: z.string(),
  outcome: z.string(),
  /** The webhook-id header: the same on every attempt of a series. */
  delivery_id: z.string(),
  /** The URL without credentials, query string or fragment. */
  endpoint: z.string(),
  /** 1-based. */
  attempt: z.number().int().min(1).max(65_535),
  status: z.enum(WEBHOOK_ATTEMPT_STATUSES),
  /** 0 when no response came (timeout, network error, refused URL). */
  response_code: z.number().int().min(0).max(65_535),
  error: z.string(),
  duration_ms: z.number().int().min(0),
  attempted_at: chDateTime,
  /** When the next attempt is due; null unless status is 'retrying'. */
  next_attempt_at: chDateTime.nullable(),
});
export type WebhookAttemptRow = z.infer<typeof WebhookAttemptRowSchema>;

/** Where one delivery stands: its latest attempt and how many were made. */
const WebhookDeliverySummarySchema = z.object({
  delivery_id: z.string(),
  run_id: z.string(),
  outcome: z.string(),
  endpoint: z.string(),
  status: z.enum(WEBHOOK_ATTEMPT_STATUSES),
  attempts: countText,
  last_response_code: z.number().int().min(0),
  last_error: z.string(),
  first_attempted_at: chDateTime,
  last_attempted_at: chDateTime,
  next_attempt_at: chDateTime.nullable(),
});
export type WebhookDeliverySummary = z.infer<typeof WebhookDeliverySummarySchema>;

export interface WebhookDelivery {
  summary: WebhookDeliverySummary;
  /** Every attempt, first to last. */
  attempts: WebhookAttemptRow[];
}

export function insertWebhookAttempts(store: ClickHouseStore, rows: readonly WebhookAttemptRow[]): Promise<void> {
  return store.insert(WEBHOOK_DELIVERIES_TABLE, rows.map((row) => WebhookAttemptRowSchema.parse(row)));
}

/**
 * Per delivery, its latest attempt's fields (argMax by attempt, as one tuple so a NULL
 * next_attempt_at is not skipped). The inner query's names differ from the columns: ClickHouse
 * would read an alias such as `status` inside the aggregate that defines it.
 */
const SUMMARY_SELECT = `SELECT delivery_id, first_run AS run_id, first_outcome AS outcome, first_endpoint AS endpoint,
    latest.1 AS status, toUInt32(attempt_count) AS attempts, latest.2 AS last_response_code, latest.3 AS last_error,
    first_at AS first_attempted_at, last_at AS last_attempted_at, latest.4 AS next_attempt_at
  FROM (
    SELECT delivery_id, any(run_id) AS first_run, any(outcome) AS first_outcome, any(endpoint) AS first_endpoint,
      argMax(tuple(status, response_code, error, next_attempt_at), attempt) AS latest,
      count() AS attempt_count, min(attempted_at) AS first_at, max(attempted_at) AS last_at
    FROM {db:Identifier}.webhook_deliveries`;

function summaries(rows: unknown[]): WebhookDeliverySummary[] {
  return rows.map((row) => WebhookDeliverySummarySchema.parse(row));
}

/** A job's deliveries, newest first: per delivery its latest attempt (status, attempts, last code, next retry). */
export async function listJobDeliveries(store: ClickHouseStore, orgId: string, projectId: string, jobId: string, limit: number): Promise<WebhookDeliverySummary[]> {
  const rows = await store.query<unknown>(
    `${SUMMARY_SELECT}
     WHERE org_id = {org:String} AND project_id = {project:String} AND job_id = {job:String}
     GROUP BY delivery_id)
     ORDER BY first_attempted_at DESC, delivery_id DESC
     LIMIT {limit:UInt32}`,
    { org: orgId, project: projectId, job: jobId, limit },
  );
  return summaries(rows);
}

/** One delivery of an organisation with every attempt; undefined when none was recorded. */
export async function findDelivery(store: ClickHouseStore, orgId: string, deliveryId: string): Promise<WebhookDelivery | undefined> {
  const rows = await store.query<unknown>(
    `SELECT org_id, project_id, job_id, run_id, outcome, delivery_id, endpoint, attempt, status,
            response_code, error, duration_ms, attempted_at, next_attempt_at
     FROM {db:Identifier}.webhook_deliveries
     WHERE org_id = {org:String} AND delivery_id = {delivery:String}
     ORDER BY attempt`,
    { org: orgId, delivery: deliveryId },
  );
  const attempts = rows.map((row) => WebhookAttemptRowSchema.parse(row));
  const last = attempts.at(-1);
  if (!last) return undefined;
  return {
    attempts,
    summary: {
      delivery_id: last.delivery_id,
      run_id: last.run_id,
      outcome: last.outcome,
      endpoint: last.endpoint,
      status: last.status,
      attempts: attempts.length,
      last_response_code: last.response_code,
      last_error: last.error,
      first_attempted_at: attempts[0].attempted_at,
      last_attempted_at: last.attempted_at,
      next_attempt_at: last.next_attempt_at,
    },
  };
}
