import { BadRequestException } from '@nestjs/common';
import { MAX_LOG_ENTRIES } from '@runstream/events';
import { MAX_LOG_ENTRIES_SENT } from '../../http/write-guards';
import { createValidationPipe } from '@runstream/http';
import fc from 'fast-check';
import { PatchRunDto } from './patch-run.dto';
import { RunIdParams } from './run-id.params';
import { quickPatchRun, quickRunIdParams } from './write-validators';

/** What the app's pipe without quick paths answers: the DTO, or 'refused' for its 400. */
async function piped(metatype: typeof PatchRunDto | typeof RunIdParams, value: unknown, type: 'body' | 'param'): Promise<unknown> {
  try {
    return await createValidationPipe().transform(value, { type, metatype });
  } catch (error) {
    if (error instanceof BadRequestException) return 'refused';
    throw error;
  }
}

const validText = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('x'.repeat(10_000), 'a\uD83D\uDE00'));
const validTimestamp = fc.constantFrom('2026-02-26T06:00:00Z', '2026-02-26T06:00:00.123+02:00', '2299-12-31T23:59:59Z');
const validLine = fc.record({ level: fc.constantFrom('info', 'warn', 'error'), message: validText });
const validSample = fc.record({ rowsLoaded: fc.nat(), bytes_loaded: fc.double({ noNaN: true, noDefaultInfinity: true }) }, { requiredKeys: ['rowsLoaded'] });
const valid: Record<string, fc.Arbitrary<unknown>> = {
  status: fc.constantFrom('running', 'succeeded', 'queued', 'success', 'failed', null),
  startedAt: fc.oneof(validTimestamp, fc.constant(null)),
  finishedAt: validTimestamp,
  errorSummary: validText,
  appendLog: fc.oneof(validLine, fc.constant(null)),
  logEntries: fc.array(
    validLine.map((line) => ({ ...line, at: '2026-02-26T06:00:00Z' })),
    { maxLength: 3 },
  ),
  telemetrySummary: fc.record(
    { rowsLoaded: fc.nat(), progress: fc.double({ min: 0, max: 100, noNaN: true }), currentPhase: fc.string({ maxLength: 10 }), note: fc.constant(null) },
    { requiredKeys: [] },
  ),
  appendTelemetrySample: fc.oneof(
    validSample,
    validSample.map((sample) => ({ ...sample, at: '2026-02-26T06:00:00Z' })),
  ),
  telemetrySamples: fc.array(validSample, { maxLength: 3 }),
};

/** Values near and past each rule's edge, and of the wrong type. */
const scalar = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom(
    'x'.repeat(10_001),
    'lone \uD800',
    '\uDC00',
    '2026-02-30T06:00:00Z',
    '2026-02-26',
    '1900-01-01T00:30:00+01:00',
    'toString',
    'INFO',
    'debug',
    '',
    'y'.repeat(257),
    'z'.repeat(1025),
  ),
  fc.double(),
  fc.integer({ min: -5, max: 200 }),
  fc.boolean(),
  fc.constant(null),
);
const key = fc.oneof(
  fc.constantFrom('rowsLoaded', 'bytesLoaded', 'progress', 'currentPhase', 'at', 'level', 'message', 'toString', 'a.b-c', '1x', '', 'k'.repeat(65)),
  fc.string({ maxLength: 4 }),
);
const edge = fc.oneof(
  scalar,
  fc.constant(Array.from({ length: MAX_LOG_ENTRIES + 1 }, () => ({ level: 'info', message: 'm', at: '2026-02-26T06:00:00Z' }))),
  fc.constant(Array.from({ length: MAX_LOG_ENTRIES_SENT + 1 }, () => ({ level: 'info', message: 'm', at: '2026-02-26T06:00:00Z' }))),
  fc.array(scalar, { maxLength: 2 }),
  fc.dictionary(key, scalar, { maxKeys: 3 }),
  fc.array(fc.dictionary(key, scalar, { maxKeys: 3 }), { maxLength: 2 }),
  fc.tuple(validLine, key, scalar).map(([line, k, v]) => ({ ...line, [k]: v })),
  fc.tuple(validSample, key, scalar).map(([sample, k, v]) => ({ ...sample, [k]: v })),
  fc.array(
    fc.tuple(validLine, key, scalar).map(([line, k, v]) => ({ ...line, at: '2026-02-26T06:00:00Z', [k]: v })),
    { minLength: 1, maxLength: 2 },
  ),
);

/** A valid body with at most one field (or one unknown key) set to an edge value: the quick path's every decision is tested. */
const patchBody = fc
  .tuple(fc.record(valid, { requiredKeys: [] }), fc.option(fc.tuple(fc.constantFrom(...Object.keys(valid), 'other'), edge), { freq: 4 }))
  .map(([body, change]) => (change ? { ...body, [change[0]]: change[1] } : body));
const anything = fc.oneof(scalar, fc.array(scalar, { maxLength: 2 }), fc.dictionary(key, scalar, { maxKeys: 3 }));

describe('quick validation paths agree with the validation pipe', () => {
  it('PatchRunDto: whatever the quick path accepts, the pipe accepts as the same DTO', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(patchBody, anything), async (body) => {
        const quick = quickPatchRun(structuredClone(body));
        if (quick === undefined) return;
        accepted += 1;
        expect(quick).toStrictEqual(await piped(PatchRunDto, structuredClone(body), 'body'));
      }),
      { numRuns: 5_000 },
    );
    // The property says something only if the quick path accepts a fair share.
    expect(accepted).toBeGreaterThan(500);
  });

  it('PatchRunDto: takes the quick path for a runner’s progress PATCH', async () => {
    const body = {
      appendLog: { level: 'info', message: 'loaded batch 42 of orders.stg_orders: 125000 rows in 1.82s' },
      telemetrySummary: { rowsLoaded: 5250000, bytesLoaded: 2147483648, progress: 42.5, currentPhase: 'load' },
      appendTelemetrySample: { rowsLoaded: 5250000, bytesLoaded: 2147483648 },
      status: 'running',
      startedAt: '2026-02-26T06:00:00Z',
      logEntries: [{ at: '2026-02-26T06:00:00Z', level: 'warn', message: 'x' }],
      telemetrySamples: [{ at: '2026-02-26T06:00:00Z', rowsLoaded: 1 }],
    };
    const quick = quickPatchRun(structuredClone(body));
    expect(quick).toBeInstanceOf(PatchRunDto);
    expect(quick).toStrictEqual(await piped(PatchRunDto, structuredClone(body), 'body'));
  });

  it('RunIdParams: whatever the quick path accepts, the pipe accepts as the same DTO', async () => {
    const id = fc.oneof(fc.string({ maxLength: 130 }), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,130}$/), scalar);
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.record({ id }), fc.record({ id, other: id }), anything), async (params) => {
        const quick = quickRunIdParams(structuredClone(params));
        if (quick === undefined) return;
        accepted += 1;
        expect(quick).toStrictEqual(await piped(RunIdParams, structuredClone(params), 'param'));
      }),
      { numRuns: 1_000 },
    );
    expect(accepted).toBeGreaterThan(30);
  });
});
