import { JOB_WEBHOOK_EVENTS, JobResources, JobWebhookEvent } from '@runstream/events';

/**
 * Readers of the String columns that hold JSON objects (a run's telemetry summary, a job's
 * environment, headers and resources). Only the folds write them, always as objects, but a row
 * is checked where it enters the process like every other column: text that is empty, not JSON
 * or not an object reads as `{}`, and values of the wrong type are dropped, never cast. Plain
 * checks rather than zod: the materializer reads a summary per run, ~13,000 a flush.
 */
export function jsonObjectOf(text: string): Record<string, unknown> {
  if (text === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A JSON object of string values (a job's environment or webhook headers); other values are dropped. */
export function stringMapOf(text: string): Record<string, string> {
  return Object.fromEntries(Object.entries(jsonObjectOf(text)).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/**
 * A job's resources column, as stored: the API wrote it (nested sections, or the flat form the
 * Kubernetes backend reads as requests); only its being an object is checked, so its keys keep
 * their order and a fold comparing a job's spec before and after a change sees no difference.
 */
export function jobResourcesOf(text: string): JobResources {
  return jsonObjectOf(text) as JobResources;
}

/** A job's webhook_events column: the outcomes a webhook may subscribe to, others dropped. */
export function jobWebhookEventsOf(events: readonly string[]): JobWebhookEvent[] {
  return events.filter((event): event is JobWebhookEvent => (JOB_WEBHOOK_EVENTS as readonly string[]).includes(event));
}
