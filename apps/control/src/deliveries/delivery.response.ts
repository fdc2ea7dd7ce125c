import { fromChDateTime, WebhookAttemptRow, WebhookDeliverySummary } from '@runstream/clickhouse';

/** One delivery series of a job's outcome: where it stands (GET …/jobs/:job_id/deliveries). */
export interface DeliveryResponse {
  id: string;
  channel: string;
  run_id: string;
  /** The outcome (started, success, failure, cancelled) or `test`. */
  event: string;
  endpoint: string;
  status: string;
  attempts: number;
  last_response_code: number | null;
  last_error: string;
  first_attempted_at: string;
  last_attempted_at: string;
  next_attempt_at: string | null;
}

export interface AttemptResponse {
  attempt: number;
  status: string;
  response_code: number | null;
  error: string;
  duration_ms: number;
  attempted_at: string;
  next_attempt_at: string | null;
}

export interface DeliveryDetailResponse extends DeliveryResponse {
  /** Every attempt, first to last. */
  attempt_log: AttemptResponse[];
}

export interface DeliveryListResponse {
  deliveries: DeliveryResponse[];
}

/** The result of one test event. */
export interface TestEventResponse {
  delivery_id: string;
  status: string;
  response_code: number | null;
  duration_ms: number;
  error: string;
}

/** 0 in the log means "no response came"; the API says null. */
const code = (value: number): number | null => (value === 0 ? null : value);

export function toDeliveryResponse(summary: WebhookDeliverySummary): DeliveryResponse {
  return {
    id: summary.delivery_id,
    channel: summary.channel,
    run_id: summary.run_id,
    event: summary.outcome,
    endpoint: summary.endpoint,
    status: summary.status,
    attempts: summary.attempts,
    last_response_code: code(summary.last_response_code),
    last_error: summary.last_error,
    first_attempted_at: fromChDateTime(summary.first_attempted_at),
    last_attempted_at: fromChDateTime(summary.last_attempted_at),
    next_attempt_at: fromChDateTime(summary.next_attempt_at),
  };
}

export function toAttemptResponse(row: WebhookAttemptRow): AttemptResponse {
  return {
    attempt: row.attempt,
    status: row.status,
    response_code: code(row.response_code),
    error: row.error,
    duration_ms: row.duration_ms,
    attempted_at: fromChDateTime(row.attempted_at),
    next_attempt_at: fromChDateTime(row.next_attempt_at),
  };
}
