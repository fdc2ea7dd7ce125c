import { AnyRunEvent, RUN_EVENT_TYPES, RunEventEnvelope, RunEventType, SCHEMA_VERSION } from './envelope';
import { UUID_PATTERN } from './uuidv7';

export function encodeEvent(event: RunEventEnvelope): Buffer {
  return Buffer.from(JSON.stringify(event));
}

export type DecodeResult = { ok: true; event: AnyRunEvent } | { ok: false; reason: string };

const ENVELOPE_STRINGS = ['event_id', 'org_id', 'project_id', 'run_id', 'occurred_at', 'actor'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Decodes and checks the envelope. Failures carry a reason for the dead-letter topic;
 * payload semantics are checked by the fold, which knows the run's state.
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
  if (parsed.schema_version !== SCHEMA_VERSION) {
    return { ok: false, reason: `unknown schema_version ${JSON.stringify(parsed.schema_version)}` };
  }
  if (!RUN_EVENT_TYPES.includes(parsed.type as RunEventType)) {
    return { ok: false, reason: `unknown event type ${JSON.stringify(parsed.type)}` };
  }
  for (const field of ENVELOPE_STRINGS) {
    if (typeof parsed[field] !== 'string' || parsed[field] === '') {
      return { ok: false, reason: `envelope field ${field} missing or not a string` };
    }
  }
  if (!UUID_PATTERN.test(parsed.event_id as string)) return { ok: false, reason: 'event_id is not a UUID' };
  if (Number.isNaN(Date.parse(parsed.occurred_at as string))) return { ok: false, reason: 'occurred_at is not a timestamp' };
  if (!isRecord(parsed.payload)) return { ok: false, reason: 'payload is not a JSON object' };
  return { ok: true, event: parsed as unknown as AnyRunEvent };
}
