import { BadRequestException } from '@nestjs/common';
import { createValidationPipe } from '@runstream/http';
import { ClaimRunDto } from '../../agent/claim-run.dto';
import { ListAgentRunsQueryDto } from '../../agent/list-agent-runs.query.dto';
import { CreateRunDto } from './create-run.dto';
import { PatchRunDto } from './patch-run.dto';
import { ReportModelExecutionsDto } from './report-model-executions.dto';
import { RunIdParams } from './run-id.params';
import { telemetrySummaryProblems } from './telemetry.validators';

type Metatype = new () => object;

/** The app's pipe, as a route runs it: the answer is either the DTO or the 400 body. */
async function validate(
  metatype: Metatype,
  value: unknown,
  type: 'body' | 'query' | 'param' = 'body',
): Promise<{ dto?: Record<string, unknown>; fields?: string[]; message?: string }> {
  try {
    return { dto: (await createValidationPipe().transform(value, { type, metatype })) as Record<string, unknown> };
  } catch (error) {
    if (!(error instanceof BadRequestException)) throw error;
    const body = error.getResponse() as { message: string; errors: { field: string }[] };
    return { fields: body.errors.map((e) => e.field), message: body.message };
  }
}

const execution = { model_name: 'orders.stg_orders', status: 'success', started_at: '2026-02-26T06:01:15Z' };
const at = '2026-02-26T06:00:00Z';

describe('timestamps: strict RFC 3339 that a DateTime64 column holds', () => {
  const refused = [
    '2026-W09', // week date: IsISO8601 strict took it, new Date did not
    '20260226T0700Z', // basic format: likewise
    '2026-02-26', // no time
    '2026-02-26 06:00:00Z', // space instead of T
    '2026-02-26T06:00Z', // no seconds
    '2026-02-26T06:00:00', // no offset
    '2026-02-30T06:00:00Z', // no such day
    '2026-02-26T24:00:00Z',
    '2026-02-26T06:00:60Z',
    '2026-02-26T06:00:00+24:00',
    '1899-12-31T23:59:59Z',
    '1900-01-01T00:30:00+01:00', // 1899 in UTC
    '2300-01-01T00:00:00Z',
    '+002026-02-26T06:00:00Z',
    '2026-02-26T06:00:00.Z',
    '２０２６-02-26T06:00:00Z',
    '2026-02-26T06:00:00Z\n',
  ];
  const accepted = [
    '2026-02-26T06:00:00Z',
    '2026-02-26T07:00:00+01:00',
    '2026-02-26T06:00:00.123456789Z',
    '2026-02-26t06:00:00z',
    '1900-01-01T00:00:00Z',
    '2299-12-31T23:59:59.999Z',
    '2024-02-29T00:00:00-11:30',
  ];

  it.each(refused)('refuses %j in every timestamp field, naming it', async (value) => {
    expect((await validate(PatchRunDto, { startedAt: value })).fields).toEqual(['startedAt']);
    expect((await validate(PatchRunDto, { finishedAt: value })).fields).toEqual(['finishedAt']);
    expect((await validate(PatchRunDto, { logEntries: [{ at: value, level: 'info', message: 'x' }] })).fields).toEqual(['logEntries.0.at']);
    expect((await validate(PatchRunDto, { appendTelemetrySample: { at: value, rows: 1 } })).message).toContain('appendTelemetrySample.at');
    expect((await validate(PatchRunDto, { telemetrySamples: [{ at: value, rows: 1 }] })).message).toContain('telemetrySamples.0.at');
    for (const field of ['started_at', 'completed_at', 'interval_start', 'interval_end']) {
      expect((await validate(ReportModelExecutionsDto, { executions: [{ ...execution, [field]: value }] })).fields).toEqual([`executions.0.${field}`]);
    }
  });

  it.each(accepted)('accepts %j', async (value) => {
    expect(
      (
        await validate(PatchRunDto, {
          startedAt: value,
          logEntries: [{ at: value, level: 'info', message: 'x' }],
          appendTelemetrySample: { at: value, rows: 1 },
        })
      ).dto,
    ).toBeDefined();
    expect(
      (
        await validate(ReportModelExecutionsDto, {
          executions: [{ ...execution, started_at: value, completed_at: value, interval_start: value, interval_end: value }],
        })
      ).dto,
    ).toBeDefined();
  });

  it('refuses non-strings where a timestamp belongs', async () => {
    for (const value of [1772085600000, true, {}, ['2026-02-26T06:00:00Z']]) {
      expect((await validate(PatchRunDto, { startedAt: value })).fields).toEqual(['startedAt']);
    }
  });
});

describe('shapes: arrays, objects and scalars where another belongs', () => {
  it.each([
    [{ appendLog: [] }, 'appendLog'],
    [{ appendLog: 'line' }, 'appendLog'],
    [{ logEntries: [[]] }, 'logEntries'],
    [{ logEntries: [null] }, 'logEntries'],
    [{ logEntries: 'x' }, 'logEntries'],
    [{ telemetrySummary: [] }, 'telemetrySummary'],
    [{ telemetrySummary: 'x' }, 'telemetrySummary'],
    [{ telemetrySummary: { nested: { a: 1 } } }, 'telemetrySummary'],
    [{ telemetrySummary: { list: [1] } }, 'telemetrySummary'],
    [{ appendTelemetrySample: [] }, 'appendTelemetrySample'],
    [{ telemetrySamples: [[]] }, 'telemetrySamples'],
    [{ telemetrySamples: {} }, 'telemetrySamples'],
    [{ status: true }, 'status'],
    [{ status: ['running'] }, 'status'],
    [{ errorSummary: 5 }, 'errorSummary'],
    [{ errorSummary: 'bad \ud800 half' }, 'errorSummary'],
    [{ appendLog: { level: 'info', message: '\udc00' } }, 'appendLog.message'],
  ])('PATCH %j: 400 naming %s', async (body, field) => {
    const { fields } = await validate(PatchRunDto, body);
    expect(fields?.[0]).toBe(field);
  });

  it.each([
    [{ executions: [[]] }, 'executions'],
    [{ executions: [null] }, 'executions'],
    [{ executions: {} }, 'executions'],
    [{ executions: [{ ...execution, rows_processed: 1e308 }] }, 'executions.0.rows_processed'],
    [{ executions: [{ ...execution, rows_processed: 2 ** 53 }] }, 'executions.0.rows_processed'],
    [{ executions: [{ ...execution, rows_processed: -1 }] }, 'executions.0.rows_processed'],
    [{ executions: [{ ...execution, rows_processed: 1.5 }] }, 'executions.0.rows_processed'],
    [{ executions: [{ ...execution, rows_processed: '5' }] }, 'executions.0.rows_processed'],
    [{ executions: [{ ...execution, bytes_processed: true }] }, 'executions.0.bytes_processed'],
    [{ executions: [{ ...execution, status: 'true' }] }, 'executions.0.status'],
    [{ executions: [{ ...execution, model_name: '\ud83d' }] }, 'executions.0.model_name'],
    [{ executions: [{ ...execution, id: 'exec 1' }] }, 'executions.0.id'],
  ])('model executions %j: 400 naming %s', async (body, field) => {
    expect((await validate(ReportModelExecutionsDto, body)).fields?.[0]).toBe(field);
  });

  it('tells a required field left out that it is required, not every rule an absent value breaks', async () => {
    expect(await validate(CreateRunDto, {})).toEqual({ fields: ['projectId', 'jobName'], message: 'projectId: is required; jobName: is required' });
    // A value sent, however bad, is told its rules.
    expect((await validate(CreateRunDto, { projectId: '', jobName: 'j' })).message).toMatch(/^projectId: .*longer than or equal to 1/);
    expect((await validate(ReportModelExecutionsDto, { executions: [{ status: 'success' }] })).message).toBe(
      'executions.0.model_name: is required; executions.0.started_at: is required',
    );
  });

  it('takes null as an absent optional field', async () => {
    const { dto } = await validate(ReportModelExecutionsDto, {
      executions: [{ ...execution, completed_at: null, rows_processed: null, interval_start: null }],
    });
    expect(dto).toBeDefined();
    expect((await validate(PatchRunDto, { startedAt: null, appendLog: null, status: 'running' })).dto).toBeDefined();
  });

  it.each([
    [{ projectId: 'p', jobName: '\ud800' }, 'jobName'],
    [{ projectId: 'p\u0000', jobName: 'j' }, 'projectId'],
    [{ projectId: 'p', jobName: 'j', targetGateway: 7 }, 'targetGateway'],
    [{ projectId: 'p', jobName: 'j', triggeredBy: 'true' }, 'triggeredBy'],
  ])('POST runs %j: 400 naming %s', async (body, field) => {
    expect((await validate(CreateRunDto, body)).fields?.[0]).toBe(field);
  });

  it('checks the claim body', async () => {
    expect((await validate(ClaimRunDto, undefined)).dto).toEqual({});
    expect((await validate(ClaimRunDto, { claimId: 'attempt-1' })).dto).toEqual({ claimId: 'attempt-1' });
    expect((await validate(ClaimRunDto, { claimId: 'x'.repeat(129) })).fields).toEqual(['claimId']);
    expect((await validate(ClaimRunDto, { claimId: 1 })).fields).toEqual(['claimId']);
  });
});

describe('route params and query', () => {
  it.each(['run_é', 'run\u0000', 'x'.repeat(129), '', '../x', 'a b'])('refuses run id %j', async (id) => {
    expect((await validate(RunIdParams, { id }, 'param')).fields).toEqual(['id']);
  });

  it.each(['1e300', '1e1', '0x10', '5.0', ' 5', '0', '-1', '101', 'abc', '', '1.5', 'Infinity', 'NaN'])('refuses limit=%s', async (limit) => {
    expect((await validate(ListAgentRunsQueryDto, { limit }, 'query')).fields).toEqual(['limit']);
  });

  it('refuses a repeated limit (an array)', async () => {
    expect((await validate(ListAgentRunsQueryDto, { limit: ['1', '2'] }, 'query')).fields).toEqual(['limit']);
  });
});

describe('telemetry keys are data, never a prototype lookup', () => {
  it('stores Object.prototype names as plain keys, exactly as sent', async () => {
    const { dto } = await validate(PatchRunDto, { telemetrySummary: { hasOwnProperty: 1, toString: 'x', valueOf: true, isPrototypeOf: null } });
    expect(dto?.telemetrySummary).toEqual({ hasOwnProperty: 1, toString: 'x', valueOf: true, isPrototypeOf: null });
    const sample = await validate(PatchRunDto, { appendTelemetrySample: { hasOwnProperty: 1 } });
    expect(sample.dto?.appendTelemetrySample).toEqual({ hasOwnProperty: 1 });
  });

  it('refuses the names JavaScript objects reserve (the pipe would delete them; see BodyShapeInterceptor)', () => {
    for (const key of ['constructor', 'prototype']) {
      expect(telemetrySummaryProblems('telemetrySummary', { [key]: 1 })).toEqual([`telemetrySummary key "${key}" is a reserved name`]);
    }
    const own = JSON.parse('{"__proto__":{"polluted":1}}') as unknown;
    expect(telemetrySummaryProblems('telemetrySummary', own)).toEqual(['telemetrySummary key "__proto__" is a reserved name']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('bounds one summary in keys and bytes', async () => {
    const manyKeys = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i]));
    expect((await validate(PatchRunDto, { telemetrySummary: manyKeys })).message).toContain('at most 64 keys');
    const big = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'x'.repeat(1000)]));
    expect((await validate(PatchRunDto, { telemetrySummary: big })).message).toContain('must encode to at most 16384 bytes');
    expect((await validate(PatchRunDto, { telemetrySummary: { s: 'x'.repeat(1025) } })).message).toContain(
      'telemetrySummary.s must be at most 1024 characters',
    );
  });

  it('checks the known keys and finite numbers', async () => {
    const { message } = await validate(PatchRunDto, {
      telemetrySummary: { progress: 101, rowsLoaded: '5', currentPhase: 3 },
      appendTelemetrySample: { rows: 'many', at },
    });
    expect(message).toContain('telemetrySummary.progress must be a number from 0 to 100');
    expect(message).toContain('telemetrySummary.rowsLoaded must be a number >= 0');
    expect(message).toContain('telemetrySummary.currentPhase must be a string');
    expect(message).toContain('appendTelemetrySample.rows must be a finite number');
    const tooMany = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`m${i}`, i]));
    expect((await validate(PatchRunDto, { appendTelemetrySample: { ...tooMany, at } })).message).toContain('at most 32 measurements');
  });
});

describe('a 400 for many bad array items stays small', () => {
  it('lists the first 20 bad fields and says how many more there were', async () => {
    const executions = Array.from({ length: 50 }, () => ({ ...execution, status: 'sometimes' }));
    const { fields, message } = await validate(ReportModelExecutionsDto, { executions });
    expect(fields).toHaveLength(20);
    expect(fields?.[0]).toBe('executions.0.status');
    expect(message).toMatch(/; and 30 more fields$/);
  });
});
