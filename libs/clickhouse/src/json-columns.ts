import { JOB_RESOURCE_NAMES, JOB_RESOURCE_SECTIONS, JOB_WEBHOOK_EVENTS, JobResources, JobWebhookEvent } from '@runstream/events';

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

/** A job's resources column: the sections and resource names a job may set, with string quantities. */
export function jobResourcesOf(text: string): JobResources {
  const stored = jsonObjectOf(text);
  const resources: JobResources = {};
  for (const section of JOB_RESOURCE_SECTIONS) {
    const quantities = stored[section];
    if (typeof quantities !== 'object' || quantities === null) continue;
    const kept = Object.fromEntries(
      JOB_RESOURCE_NAMES.flatMap((name) => {
        const quantity = (quantities as Record<string, unknown>)[name];
        return typeof quantity === 'string' ? [[name, quantity]] : [];
      }),
    );
    if (Object.keys(kept).length > 0) resources[section] = kept;
  }
  return resources;
}

/** A job's webhook_events column: the outcomes a webhook may subscribe to, others dropped. */
export function jobWebhookEventsOf(events: readonly string[]): JobWebhookEvent[] {
  return events.filter((event): event is JobWebhookEvent => (JOB_WEBHOOK_EVENTS as readonly string[]).includes(event));
}
