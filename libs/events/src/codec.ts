import { AnyRunEvent, RUN_EVENT_TYPES, RunEventEnvelope, RunEventType, SCHEMA_VERSION } from './envelope';
import { validateEvent } from './validate-event';

export function encodeEvent(event: RunEventEnvelope): Buffer {
  return Buffer.from(JSON.stringify(event));
}

export type DecodeResult = { ok: true; event: AnyRunEvent } | { ok: false; reason: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Decodes an event and checks it against the event schema (schema.ts): everything the fold
 * and the inserts rely on. Failures carry a reason for the dead-letter topic; what depends on
 * the run's state (unknown run, leaving a terminal status) is the fold's to decide.
 */
export function decodeEvent(value: Buffer | null): DecodeResult {
  if (value === null || value.length === 0) return { ok: false, reason: 'empty message value' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `undecodable JSON: ${(error as Error).message}` };
  }
  if (!isRecord(parsed)) return { ok: false, reason: 'envelope is not a JSON object' };
  // The two checks that tell an unknown producer or version from a malformed event.
  if (parsed.schema_version !== SCHEMA_VERSION) {
    return { ok: false, reason: `unknown schema_version ${JSON.stringify(parsed.schema_version)}` };
  }
  if (!RUN_EVENT_TYPES.includes(parsed.type as RunEventType)) {
    return { ok: false, reason: `unknown event type ${JSON.stringify(parsed.type)}` };
  }
  const problem = validateEvent(parsed);
  if (problem) return { ok: false, reason: `invalid event: ${problem}` };
  return { ok: true, event: parsed as unknown as AnyRunEvent };
}
