import fc from 'fast-check';
import { isCertainlyValidEvent } from './quick-event-check';
import { eventSchemaProblem } from './schema';
import { uuidv7 } from './uuidv7';

/** Mostly values the schema accepts, sometimes one it refuses, so every rule meets both sides of its edge. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 20, arbitrary: valid }, { weight: 1, arbitrary: invalid }) as fc.Arbitrary<unknown>;
const text = (max: number) =>
  mostly(
    fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom('x'.repeat(max), 'pair \ud83d\ude00')),
    fc.constantFrom('', 'x'.repeat(max + 1), 'lone \ud800', 7, null, undefined),
  );
const timestamp = mostly(
  fc.constantFrom('2026-02-26T06:00:00.000Z', '2026-02-26T06:00:00Z', '2026-02-26T06:00:00.123+02:00', '2299-12-31T23:59:59.999Z'),
  fc.constantFrom('2300-01-01T00:00:00.000Z', '2025-02-29T00:00:00.000Z', '2026-02-26', 1772085600000, null),
);
const number = mostly(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer()), fc.constantFrom(Number.NaN, Infinity, 2 ** 64, '1', null));
const count = mostly(fc.oneof(fc.nat(), fc.constant(null)), fc.constantFrom(2 ** 53, 2 ** 64, -1, 1.5, '1'));
const key = mostly(fc.constantFrom('rows', 'rowsLoaded', 'a.b-c_d', '_x'), fc.constantFrom('__proto__', 'constructor', 'row count', '', '9x', 'k'.repeat(65)));
const record = (value: fc.Arbitrary<unknown>, maxKeys: number) =>
  mostly(
    fc.dictionary(key as fc.Arbitrary<string>, value, { maxKeys: 3 }),
    fc.constantFrom(Object.fromEntries(Array.from({ length: maxKeys + 1 }, (_, i) => [`k${i}`, 1])), []),
  );
const logEntry = fc.record({ at: timestamp, level: mostly(fc.constantFrom('info', 'warn', 'error'), fc.constant('debug')), message: text(32_768) });
const sample = fc.record({ at: timestamp, values: record(number, 32) });
const withExtra = <T extends object>(arb: fc.Arbitrary<T>) =>
  mostly(
    arb,
    arb.map((v) => ({ ...v, extra: 1 })),
  ) as fc.Arbitrary<object>;

const payloads: Record<string, fc.Arbitrary<object>> = {
  'run.created': fc.record(
    {
      job_id: text(256),
      job_name: text(512),
      cronjob_name: text(512),
      namespace: text(512),
      job_type: mostly(fc.constantFrom('plan', 'run', 'janitor'), fc.constant('deploy')),
      triggered_by: mostly(fc.constantFrom('scheduled', 'manual'), fc.constant('api')),
      target_gateway: text(256),
      command_argv: fc.oneof(fc.array(text(10), { maxLength: 3 }), fc.constant(undefined)),
    },
    { requiredKeys: ['job_id', 'job_name', 'cronjob_name', 'namespace', 'job_type', 'triggered_by', 'target_gateway'] },
  ),
  'run.patched': fc.record(
    {
      status: mostly(fc.constantFrom('running', 'success', 'succeeded', undefined), fc.constant('exploded')),
      started_at: timestamp,
      finished_at: timestamp,
      error_summary: text(32_768),
      append_log: logEntry,
      log_entries: fc.array(logEntry, { maxLength: 3 }),
      telemetry_summary: record(mostly(fc.oneof(text(1024), number, fc.boolean(), fc.constant(null)), fc.constant({ nested: 1 })), 64),
      append_telemetry_sample: sample,
      telemetry_samples: fc.array(sample, { maxLength: 2 }),
    },
    { requiredKeys: [] },
  ),
  'run.claimed': fc.record({ gateway: text(256), claim_id: text(256) }, { requiredKeys: [] }),
  'model_executions.reported': fc.record({
    executions: fc.array(
      fc.record(
        {
          id: text(256),
          model_name: text(512),
          status: mostly(fc.constantFrom('success', 'failed', 'running'), fc.constant('succeeded')),
          started_at: timestamp,
          completed_at: mostly(timestamp, fc.constant(null)),
          rows_processed: count,
          bytes_processed: count,
          interval_start: timestamp,
          interval_end: timestamp,
        },
        { requiredKeys: ['id', 'model_name', 'status', 'started_at', 'completed_at', 'rows_processed', 'bytes_processed', 'interval_start', 'interval_end'] },
      ),
      { minLength: 1, maxLength: 3 },
    ),
  }),
};

const event = fc.constantFrom(...Object.keys(payloads)).chain((type) =>
  withExtra(
    fc.record({
      event_id: mostly(fc.constant(uuidv7()), fc.constantFrom(uuidv7().toUpperCase(), 'not-a-uuid')),
      type: fc.constant(type),
      schema_version: mostly(fc.constant(1), fc.constantFrom(2, '1')),
      org_id: text(256),
      project_id: text(256),
      run_id: text(256),
      occurred_at: timestamp,
      actor: text(256),
      payload: withExtra(payloads[type]),
    }),
  ),
);

describe('isCertainlyValidEvent', () => {
  it('never accepts what the event schema refuses, and accepts much of what it accepts', () => {
    let acceptedBySchema = 0;
    let acceptedQuickly = 0;
    fc.assert(
      fc.property(event, (candidate) => {
        const problem = eventSchemaProblem(candidate);
        const quick = isCertainlyValidEvent(candidate);
        if (problem === undefined) acceptedBySchema += 1;
        if (quick) acceptedQuickly += 1;
        // The property: a quick yes is always the schema's yes.
        return !quick || problem === undefined;
      }),
      { numRuns: 20_000 },
    );
    expect(acceptedBySchema).toBeGreaterThan(1000);
    expect(acceptedQuickly).toBeGreaterThan(acceptedBySchema * 0.9);
  });

  it('refuses a prototype key anywhere, which the schema refuses too', () => {
    const polluted = JSON.parse(
      `{"event_id":"${uuidv7()}","type":"run.patched","schema_version":1,"org_id":"o","project_id":"p","run_id":"r","occurred_at":"2026-02-26T06:00:00.000Z","actor":"t","payload":{"telemetry_summary":{"__proto__":1}}}`,
    );
    expect(isCertainlyValidEvent(polluted)).toBe(false);
    expect(eventSchemaProblem(polluted)).toContain('reserved key');
  });
});
