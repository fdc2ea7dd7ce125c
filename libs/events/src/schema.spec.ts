import { RunEventEnvelope } from './envelope';
import { timestampProblem } from './schema';
import { validateEvent } from './validate-event';
import { isWellFormed, truncateText } from './well-formed';
import { uuidv7 } from './uuidv7';

const base = {
  event_id: uuidv7(),
  schema_version: 1,
  org_id: 'org_a',
  project_id: 'proj_a',
  run_id: 'run_1',
  occurred_at: '2026-02-26T06:00:00.000Z',
  actor: 'tok_1',
};
const execution = {
  id: 'exec_1',
  model_name: 'orders.stg',
  status: 'success',
  started_at: '2026-02-26T06:00:00Z',
  completed_at: null,
  rows_processed: 10,
  bytes_processed: null,
  interval_start: null,
  interval_end: null,
};

const valid: Record<string, object> = {
  created: {
    ...base,
    type: 'run.created',
    payload: { job_id: '', job_name: 'j', cronjob_name: 'hourly', namespace: '', job_type: 'run', triggered_by: 'scheduled', target_gateway: '' },
  },
  patched: {
    ...base,
    type: 'run.patched',
    payload: {
      status: 'success',
      started_at: '2026-02-26T06:00:00+01:00',
      finished_at: '2026-02-26T07:00:00.123456Z',
      error_summary: 'boom 💥',
      append_log: { at: '2026-02-26T06:00:00.000Z', level: 'warn', message: 'x' },
      log_entries: [{ at: '2026-02-26T06:00:00.000Z', level: 'info', message: '' }],
      telemetry_summary: { rowsLoaded: 12, currentPhase: 'load', done: false, note: null },
      append_telemetry_sample: { at: '2026-02-26T06:00:00.000Z', values: { rowsLoaded: 1.5 } },
      telemetry_samples: [],
    },
  },
  claimed: { ...base, type: 'run.claimed', payload: { gateway: 'gw-1', claim_id: uuidv7() } },
  reported: { ...base, type: 'model_executions.reported', payload: { executions: [execution] } },
};

/** An event as the tests edit it: nested JSON reached into freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- edits assign into nested payload fields
type EditableEvent = Record<string, any>;

/** A copy of a valid event with one change made by `edit`. */
function tweak(name: keyof typeof valid, edit: (event: EditableEvent) => void): unknown {
  const copy = JSON.parse(JSON.stringify(valid[name]));
  edit(copy);
  return copy;
}

describe('validateEvent', () => {
  it.each(Object.keys(valid))('accepts a valid %s event', (name) => {
    expect(validateEvent(valid[name])).toBeUndefined();
  });

  it.each<[string, unknown, string]>([
    ['a __proto__ key (as JSON.parse makes it)', JSON.parse('{"__proto__":{"polluted":1},"rows":1}'), 'reserved key'],
    ['a constructor key', { constructor: 1 }, 'reserved key'],
    ['a prototype key', { prototype: 'x' }, 'reserved key'],
    ['Infinity (JSON 1e999)', { rows: JSON.parse('1e999') }, 'payload.telemetry_summary.rows'],
    ['NaN', { rows: Number.NaN }, 'payload.telemetry_summary.rows'],
    ['an object value', { rows: { nested: 1 } }, 'payload.telemetry_summary.rows'],
    ['a key with spaces', { 'row count': 1 }, 'payload.telemetry_summary.row count'],
    ['65 keys', Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])), 'at most 64 keys'],
    ['a long string', { note: 'x'.repeat(1025) }, 'payload.telemetry_summary.note'],
  ])('refuses a telemetry summary with %s', (_name, summary, reason) => {
    expect(validateEvent(tweak('patched', (e) => (e.payload.telemetry_summary = summary)))).toContain(reason);
  });

  it.each<[string, (e: EditableEvent) => void, string]>([
    ['"2026-W09" as started_at', (e) => (e.payload.started_at = '2026-W09'), 'payload.started_at: must be an RFC 3339'],
    ['"20260226T0700Z" as finished_at', (e) => (e.payload.finished_at = '20260226T0700Z'), 'payload.finished_at: must be an RFC 3339'],
    ['a date-only append_log.at', (e) => (e.payload.append_log.at = '2026-02-26'), 'payload.append_log.at'],
    ['30 February', (e) => (e.payload.log_entries[0].at = '2026-02-30T00:00:00Z'), 'not a calendar date-time'],
    ['year 2300', (e) => (e.payload.append_telemetry_sample.at = '2300-01-01T00:00:00Z'), 'years 1900 to 2299'],
    ['year 1899', (e) => (e.occurred_at = '1899-12-31T23:59:59Z'), 'occurred_at: must lie in the years'],
    ['a numeric occurred_at', (e) => (e.occurred_at = 1772085600000), 'occurred_at'],
    [
      'NaN-ish text as a sample value',
      (e) => (e.payload.append_telemetry_sample.values.rowsLoaded = 'NaN'),
      'payload.append_telemetry_sample.values.rowsLoaded',
    ],
    ['an unknown status', (e) => (e.payload.status = 'exploded'), 'payload.status'],
    ['an unknown log level', (e) => (e.payload.append_log.level = 'debug'), 'payload.append_log.level'],
    ['an unknown payload field', (e) => (e.payload.surprise = 1), 'payload'],
    ['an unknown envelope field', (e) => (e.extra = 1), 'extra'],
    ['a lone surrogate', (e) => (e.payload.error_summary = 'bad \ud800 text'), 'payload.error_summary: must not contain unpaired surrogates'],
    ['a 40,000-character error summary', (e) => (e.payload.error_summary = 'x'.repeat(40_000)), 'payload.error_summary'],
    ['501 log entries', (e) => (e.payload.log_entries = Array.from({ length: 501 }, () => e.payload.append_log)), 'payload.log_entries'],
    [
      '2,001 samples',
      (e) => (e.payload.telemetry_samples = Array.from({ length: 2001 }, () => e.payload.append_telemetry_sample)),
      'payload.telemetry_samples',
    ],
    [
      '33 sample measurements',
      (e) => (e.payload.append_telemetry_sample.values = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`m${i}`, i]))),
      'at most 32 measurements',
    ],
    ['an array as payload', (e) => (e.payload = []), 'payload'],
    ['a numeric run_id', (e) => (e.run_id = 7), 'run_id'],
    ['an uppercase event_id', (e) => (e.event_id = e.event_id.toUpperCase()), 'event_id'],
    ['schema_version "1"', (e) => (e.schema_version = '1'), 'schema_version'],
    ['nesting no event has', (e) => (e.payload.telemetry_summary = JSON.parse('{"a":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}')), 'nested too deeply'],
  ])('refuses a patch with %s', (_name, edit, reason) => {
    expect(validateEvent(tweak('patched', edit))).toContain(reason);
  });

  it.each<[string, (e: EditableEvent) => void, string]>([
    ['rows above 2^53', (e) => (e.payload.executions[0].rows_processed = 2 ** 64), 'payload.executions.0.rows_processed'],
    ['negative bytes', (e) => (e.payload.executions[0].bytes_processed = -1), 'payload.executions.0.bytes_processed'],
    ['fractional rows', (e) => (e.payload.executions[0].rows_processed = 1.5), 'payload.executions.0.rows_processed'],
    ['rows as a string', (e) => (e.payload.executions[0].rows_processed = '10'), 'payload.executions.0.rows_processed'],
    ['the runner word "succeeded"', (e) => (e.payload.executions[0].status = 'succeeded'), 'payload.executions.0.status'],
    ['a missing interval_end', (e) => delete e.payload.executions[0].interval_end, 'payload.executions.0.interval_end'],
    ['no executions', (e) => (e.payload.executions = []), 'payload.executions'],
    ['1,001 executions', (e) => (e.payload.executions = Array.from({ length: 1001 }, () => e.payload.executions[0])), 'payload.executions'],
  ])('refuses an execution report with %s', (_name, edit, reason) => {
    expect(validateEvent(tweak('reported', edit))).toContain(reason);
  });

  it('refuses a run.created with an unknown job type or a missing field', () => {
    expect(validateEvent(tweak('created', (e) => (e.payload.job_type = 'deploy')))).toContain('payload.job_type');
    expect(validateEvent(tweak('created', (e) => delete e.payload.target_gateway))).toContain('payload.target_gateway');
  });

  it('leaves Object.prototype alone', () => {
    validateEvent(tweak('patched', (e) => (e.payload.telemetry_summary = JSON.parse('{"__proto__":{"polluted":1}}'))));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('types the valid examples as events', () => {
    const typed: RunEventEnvelope = valid.created as RunEventEnvelope;
    expect(typed.type).toBe('run.created');
  });
});

describe('timestampProblem', () => {
  it.each([
    '2026-02-26T06:00:00Z',
    '2026-02-26t06:00:00.1z',
    '2024-02-29T23:59:59.999999999-12:00',
    '1900-01-01T00:00:00Z',
    '2299-12-31T23:59:59.999Z',
    '2298-12-31T23:30:00-01:00',
    '2000-02-29T00:00:00Z',
    // The 'YYYY-MM-DDThh:mm:ss.sssZ' form toISOString gives, which has a path of its own.
    '2026-02-26T06:00:00.000Z',
    '2024-02-29T23:59:59.999Z',
    '1900-01-01T00:00:00.000Z',
    '2299-12-31T23:59:59.999Z',
  ])('accepts %s', (value) => {
    expect(timestampProblem(value)).toBeUndefined();
  });

  it.each([
    '2026-W09',
    '20260226T0700Z',
    '2026-02-26',
    '2026-02-26 06:00:00Z',
    '2026-02-26T06:00Z',
    '2026-02-26T24:00:00Z',
    '2026-02-26T06:00:60Z',
    '2026-13-01T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-02-26T06:00:00+24:00',
    '2299-12-31T23:00:00-01:00',
    '1900-01-01T00:30:00+01:00',
    '1900-02-29T00:00:00Z',
    '2100-02-29T00:00:00Z',
    '+002026-02-26T06:00:00Z',
    '',
    '2025-02-29T00:00:00.000Z',
    '2026-04-31T00:00:00.000Z',
    '2026-00-10T00:00:00.000Z',
    '2026-02-00T00:00:00.000Z',
    '2026-02-26T24:00:00.000Z',
    '2026-02-26T06:60:00.000Z',
    '2026-02-26T06:00:60.000Z',
    '1899-12-31T23:59:59.999Z',
    '2300-01-01T00:00:00.000Z',
    '2026-02-26T06:00:00.000+',
  ])('refuses %s', (value) => {
    expect(timestampProblem(value)).toBeDefined();
  });
});

describe('isWellFormed', () => {
  it.each([
    ['', true],
    ['plain', true],
    ['pair \ud83d\ude00', true],
    ['lone high \ud800', false],
    ['lone low \udc00 x', false],
    ['swapped \ude00\ud83d', false],
  ])('%j is %s', (text, expected) => {
    expect(isWellFormed(text)).toBe(expected);
  });
});

describe('truncateText', () => {
  it('cuts to the length, one unit shorter where that would split a surrogate pair', () => {
    expect(truncateText('abcdef', 4)).toBe('abcd');
    expect(truncateText('abc', 4)).toBe('abc');
    expect(truncateText('ab\ud83d\ude00c', 3)).toBe('ab');
    expect(truncateText('ab\ud83d\ude00c', 4)).toBe('ab\ud83d\ude00');
  });
});
