import { DueDelivery, toChDateTime, WebhookAttemptRow, WebhookAttemptStatus } from '@runstream/clickhouse';

/** The log row of one attempt of a due delivery. */
export function attemptRow(
  due: DueDelivery,
  result: { status: Exclude<WebhookAttemptStatus, 'pending'>; responseCode: number; error: string; durationMs: number; attemptedAt: Date; next: Date | null },
): WebhookAttemptRow {
  return {
    org_id: due.org_id,
    project_id: due.project_id,
    job_id: due.job_id,
    run_id: due.run_id,
    outcome: due.outcome,
    delivery_id: due.delivery_id,
    channel: due.channel,
    kafka_partition: due.kafka_partition,
    endpoint: due.endpoint,
    attempt: due.attempt,
    status: result.status,
    response_code: result.responseCode,
    error: result.error.slice(0, 1024),
    duration_ms: Math.max(0, Math.round(result.durationMs)),
    attempted_at: toChDateTime(result.attemptedAt),
    next_attempt_at: result.next ? toChDateTime(result.next) : null,
  };
}
