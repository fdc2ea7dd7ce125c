import { z } from 'zod';
import { column } from '../columns';
import { ClickHouseStore } from '../store';
import { toChDateTime } from '../time';

export const WEBHOOK_DELIVERIES_TABLE = 'webhook_deliveries';

/** `pending` opens a series (or a manual redelivery): the attempt it schedules is due at next_attempt_at. */
export const WEBHOOK_ATTEMPT_STATUSES = ['pending', 'delivered', 'retrying', 'failed', 'disabled'] as const;
/** Where a delivery goes: the job's webhook, or its Slack channel. */
export const DELIVERY_CHANNELS = ['webhook', 'slack'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
/** A series still to be worked on. */
export const OPEN_DELIVERY_STATUSES = ['pending', 'retrying'] as const;
/**
 * How far back the dispatcher looks for open series: a series' latest row is at most about an
 * hour older than its next attempt, so a week covers any notifier outage short of a week.
 */
export const OPEN_DELIVERY_WINDOW_DAYS = 7;
export type WebhookAttemptStatus = (typeof WEBHOOK_ATTEMPT_STATUSES)[number];

/** Delivery rows are few per read, so they keep their format checks (a regex costs ~0.5 µs a field, columns.ts). */
const chDateTime = column.dateTime.regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?$/);

/** A row of `webhook_deliveries` (migration 0021): one webhook attempt. */
const WebhookAttemptRowSchema = z.object({
  org_id: z.string(),
  project_id: z.string(),
  job_id: z.string(),
  run_id: z.string(),
  outcome: z.string(),
  /** The webhook-id header: the same on every attempt of a series. */
  delivery_id: z.string(),
  channel: z.enum(DELIVERY_CHANNELS),
  /** The runs.events.v1 partition of the run: the notifier owning it sends the series (migration 0023). */
  kafka_partition: z.number().int().min(0).max(65_535),
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
  /** When the next attempt is due; null unless status is 'pending' or 'retrying'. */
  next_attempt_at: chDateTime.nullable(),
  /** The exact request body of the series; only on 'pending' rows (read back only where asked for). */
  body: z.string().optional(),
});
export type WebhookAttemptRow = z.infer<typeof WebhookAttemptRowSchema>;

/** Where one delivery stands: its latest attempt and how many were made. */
const WebhookDeliverySummarySchema = z.object({
  delivery_id: z.string(),
  channel: z.enum(DELIVERY_CHANNELS),
  run_id: z.string(),
  outcome: z.string(),
  endpoint: z.string(),
  status: z.enum(WEBHOOK_ATTEMPT_STATUSES),
  attempts: z.number().int().min(0),
  last_response_code: z.number().int().min(0),
  last_error: z.string(),
  first_attempted_at: chDateTime,
  last_attempted_at: chDateTime,
  next_attempt_at: chDateTime.nullable(),
});
export type WebhookDeliverySummary = z.infer<typeof WebhookDeliverySummarySchema>;

export interface WebhookDelivery {
  summary: WebhookDeliverySummary;
  /** Every attempt made, first to last (no 'pending' rows). */
  attempts: WebhookAttemptRow[];
  /** Every row, the 'pending' ones that open a series or a redelivery included. */
  rows: WebhookAttemptRow[];
}

export function insertWebhookAttempts(store: ClickHouseStore, rows: readonly WebhookAttemptRow[]): Promise<void> {
  return store.insert(
    WEBHOOK_DELIVERIES_TABLE,
    rows.map((row) => WebhookAttemptRowSchema.parse(row)),
  );
}

/**
 * Per delivery, its latest attempt's fields (argMax by attempt, as one tuple so a NULL
 * next_attempt_at is not skipped). The inner query's names differ from the columns: ClickHouse
 * would read an alias such as `status` inside the aggregate that defines it.
 */
const SUMMARY_SELECT = `SELECT delivery_id, first_channel AS channel, first_run AS run_id, first_outcome AS outcome, first_endpoint AS endpoint,
    latest.1 AS status, toUInt32(attempt_count) AS attempts, latest.2 AS last_response_code, latest.3 AS last_error,
    first_at AS first_attempted_at, last_at AS last_attempted_at, latest.4 AS next_attempt_at
  FROM (
    SELECT delivery_id, any(channel) AS first_channel, any(run_id) AS first_run, any(outcome) AS first_outcome, any(endpoint) AS first_endpoint,
      argMax(tuple(status, response_code, error, next_attempt_at), tuple(attempt, attempted_at)) AS latest,
      countIf(status != 'pending') AS attempt_count, min(attempted_at) AS first_at, max(attempted_at) AS last_at
    FROM {db:Identifier}.webhook_deliveries`;

/** A job's deliveries, newest first: per delivery its latest attempt (status, attempts, last code, next retry). */
export async function listJobDeliveries(
  store: ClickHouseStore,
  orgId: string,
  projectId: string,
  jobId: string,
  limit: number,
): Promise<WebhookDeliverySummary[]> {
  return store.query(
    WebhookDeliverySummarySchema,
    `${SUMMARY_SELECT}
     WHERE org_id = {org:String} AND project_id = {project:String} AND job_id = {job:String}
     GROUP BY delivery_id)
     ORDER BY first_attempted_at DESC, delivery_id DESC
     LIMIT {limit:UInt32}`,
    { org: orgId, project: projectId, job: jobId, limit },
  );
}

const ROW_COLUMNS = `org_id, project_id, job_id, run_id, outcome, delivery_id, channel, kafka_partition, endpoint, attempt,
  status, response_code, error, duration_ms, attempted_at, next_attempt_at`;

/**
 * One delivery of an organisation: every row (its opening 'pending' rows included, in order) and
 * a summary; undefined when none was recorded.
 */
export async function findDelivery(store: ClickHouseStore, orgId: string, deliveryId: string): Promise<WebhookDelivery | undefined> {
  const all = await store.query(
    WebhookAttemptRowSchema,
    `SELECT ${ROW_COLUMNS}
     FROM {db:Identifier}.webhook_deliveries
     WHERE org_id = {org:String} AND delivery_id = {delivery:String}
     ORDER BY attempt, attempted_at`,
    { org: orgId, delivery: deliveryId },
  );
  const last = all.at(-1);
  if (!last) return undefined;
  const attempts = all.filter((row) => row.status !== 'pending');
  return {
    rows: all,
    attempts,
    summary: {
      delivery_id: last.delivery_id,
      channel: last.channel,
      run_id: last.run_id,
      outcome: last.outcome,
      endpoint: last.endpoint,
      status: last.status,
      attempts: attempts.length,
      last_response_code: last.response_code,
      last_error: last.error,
      first_attempted_at: all[0].attempted_at,
      last_attempted_at: last.attempted_at,
      next_attempt_at: last.next_attempt_at,
    },
  };
}

/**
 * The exact body a delivery sends (its opening row's), for a redelivery's own pending row: the
 * dispatcher reads a series' body from the earliest pending row within its window, and a series
 * redelivered weeks later has its opening row outside it.
 */
export async function selectDeliveryBody(store: ClickHouseStore, orgId: string, deliveryId: string): Promise<string> {
  const [row] = await store.query(
    z.object({ body: column.text }),
    `SELECT argMinIf(body, tuple(attempt, attempted_at), status = 'pending') AS body
     FROM {db:Identifier}.webhook_deliveries
     WHERE org_id = {org:String} AND delivery_id = {delivery:String}`,
    { org: orgId, delivery: deliveryId },
  );
  return row?.body ?? '';
}

/** Which of these delivery ids already have a series (any row): an outcome seen again opens no second one. */
export async function selectExistingDeliveryIds(store: ClickHouseStore, deliveryIds: readonly string[]): Promise<Set<string>> {
  if (deliveryIds.length === 0) return new Set();
  const rows = await store.query(
    z.object({ delivery_id: column.text }),
    `SELECT DISTINCT delivery_id FROM {db:Identifier}.webhook_deliveries WHERE delivery_id IN {ids:Array(String)}`,
    { ids: [...deliveryIds] },
  );
  return new Set(rows.map((row) => row.delivery_id));
}

/** An open series whose next attempt is due, with what the attempt needs: the series' fields, its body and where it stands. */
const DueDeliverySchema = WebhookAttemptRowSchema.pick({
  org_id: true,
  project_id: true,
  job_id: true,
  run_id: true,
  outcome: true,
  delivery_id: true,
  channel: true,
  kafka_partition: true,
  endpoint: true,
}).extend({
  body: z.string(),
  /** The number of the attempt that is due. */
  attempt: z.number().int().min(1),
  /** The attempt number the current series (or redelivery) began with: retries count from it. */
  series_start: z.number().int().min(1),
});
export type DueDelivery = z.infer<typeof DueDeliverySchema>;

/**
 * Open series of these partitions (the partitions a notifier instance owns) and the latest row of
 * each; the due query keeps those whose next attempt is due at `now`. A pending row's attempt is
 * the one it schedules; a retrying row's next attempt is attempt + 1. Candidates are the series
 * with a row since {recent}; every row of a candidate in the window is aggregated, so its opening
 * row (the body, where the schedule starts) counts however old.
 */
const OPEN_SELECT = `SELECT delivery_id, any(org_id) AS org, any(project_id) AS project, any(job_id) AS job, any(run_id) AS run,
    any(outcome) AS what, any(channel) AS via, any(kafka_partition) AS part, any(endpoint) AS target,
    argMinIf(body, attempted_at, status = 'pending') AS opening_body,
    argMax(tuple(status, attempt, next_attempt_at), tuple(attempt, attempted_at)) AS latest,
    maxIf(attempt, status = 'pending') AS started_at_attempt
  FROM {db:Identifier}.webhook_deliveries
  WHERE attempted_at >= {since:DateTime64(3)} AND kafka_partition IN {partitions:Array(UInt16)}
    AND delivery_id IN (
      SELECT delivery_id FROM {db:Identifier}.webhook_deliveries
      WHERE attempted_at >= {recent:DateTime64(3)} AND kafka_partition IN {partitions:Array(UInt16)})
  GROUP BY delivery_id
  HAVING latest.1 IN ('pending', 'retrying')`;

/**
 * `lookbackMs` bounds the rows read: an open series' latest row is at most one retry wait old
 * unless the notifier was down, so most passes look back a little over the longest wait and an
 * occasional pass looks back the whole window (OPEN_DELIVERY_WINDOW_DAYS). Earliest due first, at
 * most `perHost` of one receiver's host (Slack counts as one host): many series of one slow or
 * failing receiver leave room for everyone else's.
 */
export async function selectDueDeliveries(
  store: ClickHouseStore,
  partitions: readonly number[],
  now: Date,
  limit: number,
  lookbackMs = OPEN_DELIVERY_WINDOW_DAYS * 86_400_000,
  perHost = limit,
): Promise<DueDelivery[]> {
  if (partitions.length === 0) return [];
  return store.query(
    DueDeliverySchema,
    `SELECT delivery_id, org AS org_id, project AS project_id, job AS job_id, run AS run_id, what AS outcome, via AS channel,
            part AS kafka_partition, target AS endpoint, opening_body AS body,
            toUInt32(if(latest.1 = 'pending', latest.2, latest.2 + 1)) AS attempt, toUInt32(greatest(started_at_attempt, 1)) AS series_start
     FROM (${OPEN_SELECT} AND latest.3 <= {now:DateTime64(3)})
     ORDER BY latest.3 LIMIT {per_host:UInt32} BY if(via = 'slack', 'slack', domain(target)) LIMIT {limit:UInt32}`,
    {
      partitions: [...partitions],
      since: sinceWindow(now),
      recent: toChDateTime(new Date(now.getTime() - lookbackMs)),
      now: toChDateTime(now),
      limit,
      per_host: perHost,
    },
  );
}

/** How many series of these partitions are open (the notifier's queue depth). */
export async function countOpenDeliveries(store: ClickHouseStore, partitions: readonly number[], now: Date): Promise<number> {
  if (partitions.length === 0) return 0;
  const rows = await store.query(z.object({ open: column.count }), `SELECT count() AS open FROM (${OPEN_SELECT})`, {
    partitions: [...partitions],
    since: sinceWindow(now),
    recent: sinceWindow(now),
  });
  return rows[0]?.open ?? 0;
}

function sinceWindow(now: Date): string {
  return toChDateTime(new Date(now.getTime() - OPEN_DELIVERY_WINDOW_DAYS * 86_400_000));
}
