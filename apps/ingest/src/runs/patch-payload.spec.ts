import { validateEvent } from '@runstream/events';
import { isEmptyPatch, patchPayload, patchTexts, runEvent, toModelExecution } from './event-payloads';
import { PatchRunDto } from './dto/patch-run.dto';

describe('patchPayload', () => {
  const now = new Date('2026-02-26T06:00:00.000Z');
  const caller = { orgId: 'org_1', tokenId: 'tok_1', kind: 'user' as const, gateway: '' };

  it('carries only the fields the PATCH sent: no undefined values reach the event', () => {
    const payload = patchPayload({ status: 'succeeded' }, now);
    expect(payload).toEqual({ status: 'success' });
    expect(Object.values(payload)).not.toContain(undefined);
  });

  it('keeps a message the API accepted within the event limit however much scrubbing lengthens it', () => {
    // 9,998 characters; each "a=;" becomes "a=[REDACTED];", ~43,000 characters in all.
    const message = `Cookie: ${'a=;'.repeat(3330)}`;
    const payload = patchPayload({ appendLog: { level: 'info', message }, errorSummary: message }, now);
    expect(payload.append_log?.message.length).toBe(32_768);
    expect(payload.error_summary?.length).toBe(32_768);
    expect(payload.append_log?.message.startsWith('Cookie: a=[REDACTED];')).toBe(true);
    expect(validateEvent(runEvent(caller, 'proj', 'run_1', 'run.patched', payload, now))).toBeUndefined();
  });

  it('keeps the last 500 lines of a longer log replace, scrubbing only those ("capped at 500 lines server-side")', () => {
    const line = (n: number) => ({ at: `2026-02-26T06:00:00.${String(n % 1000).padStart(3, '0')}Z`, level: 'info' as const, message: `line ${n} token=t${n}` });
    const dto: PatchRunDto = { logEntries: Array.from({ length: 600 }, (_, n) => line(n)) };
    const kept = patchPayload(dto, now).log_entries ?? [];
    expect(kept).toHaveLength(500);
    expect(kept[0]).toEqual({ at: '2026-02-26T06:00:00.100Z', level: 'info', message: 'line 100 token=[REDACTED]' });
    expect(kept[499].message).toBe('line 599 token=[REDACTED]');
    expect(patchTexts(dto)).toHaveLength(500);
    expect(validateEvent(runEvent(caller, 'proj', 'run_1', 'run.patched', patchPayload(dto, now), now))).toBeUndefined();
  });

  it('stamps server times, normalises to UTC and scrubs text', () => {
    const payload = patchPayload(
      {
        startedAt: '2026-02-26T07:00:00+01:00',
        errorSummary: 'login failed: password=hunter2',
        appendLog: { level: 'error', message: 'token=abc123' },
        appendTelemetrySample: { rowsLoaded: 5 },
        telemetrySamples: [{ at: '2026-02-26T05:00:00Z', bytesLoaded: 1 }],
      },
      now,
    );
    expect(payload).toEqual({
      started_at: '2026-02-26T06:00:00.000Z',
      error_summary: 'login failed: password=[REDACTED]',
      append_log: { at: '2026-02-26T06:00:00.000Z', level: 'error', message: 'token=[REDACTED]' },
      append_telemetry_sample: { at: '2026-02-26T06:00:00.000Z', values: { rowsLoaded: 5 } },
      telemetry_samples: [{ at: '2026-02-26T05:00:00.000Z', values: { bytesLoaded: 1 } }],
    });
  });

  it('scrubs every text with the scrub it is given, and names every text it scrubs', () => {
    const dto: PatchRunDto = {
      status: 'running',
      errorSummary: 'e',
      appendLog: { level: 'info', message: 'a' },
      logEntries: [{ at: '2026-02-26T05:00:00Z', level: 'info', message: 'l' }],
      telemetrySummary: { phase: 's', rows: 1 },
    };
    expect(patchTexts(dto)).toEqual(['e', 'a', 'l', 's']);
    expect(patchPayload(dto, now, (text) => text.toUpperCase())).toMatchObject({
      error_summary: 'E',
      append_log: { message: 'A' },
      log_entries: [{ message: 'L' }],
      telemetry_summary: { phase: 'S', rows: 1 },
    });
  });

  it('reads every accepted timestamp form without throwing', () => {
    const payload = patchPayload(
      {
        startedAt: '2026-02-26t06:00:00.123456789z',
        finishedAt: '1900-01-01T01:00:00+01:00',
        logEntries: [{ at: '2299-12-31T23:59:59.999Z', level: 'info', message: 'x' }],
      },
      now,
    );
    expect(payload).toMatchObject({
      started_at: '2026-02-26T06:00:00.123Z',
      finished_at: '1900-01-01T00:00:00.000Z',
      log_entries: [{ at: '2299-12-31T23:59:59.999Z' }],
    });
  });

  it('takes null fields as absent', () => {
    const dto = { status: null, startedAt: null, appendLog: null, telemetrySummary: null, errorSummary: null } as unknown as PatchRunDto;
    expect(isEmptyPatch(dto)).toBe(true);
    expect(patchPayload(dto, now)).toEqual({});
  });

  it('keeps Object.prototype names as plain summary keys and scrubs summary strings', () => {
    const payload = patchPayload(
      { telemetrySummary: { hasOwnProperty: 1, toString: 'x', currentResource: 'postgres://etl:hunter2@db/wh', note: 'password=' + 'x'.repeat(1014) } },
      now,
    );
    const summary = payload.telemetry_summary ?? {};
    expect(Object.getPrototypeOf(summary)).toBeNull();
    expect({ ...summary }).toEqual({ hasOwnProperty: 1, toString: 'x', currentResource: 'postgres://etl:[REDACTED]@db/wh', note: 'password=[REDACTED]' });
    expect(JSON.parse(JSON.stringify(summary))).toEqual({ ...summary });
  });

  it('cuts a summary string that scrubbing lengthened back to 1024 without splitting a surrogate pair', () => {
    const value = `${'a'.repeat(999)} pwd=x;${'😀'.repeat(20)}`;
    const stored = patchPayload({ telemetrySummary: { note: value } }, now).telemetry_summary?.note as string;
    expect(stored.length).toBeLessThanOrEqual(1024);
    expect(stored).toContain('[REDACTED]');
    expect(/[\uD800-\uDBFF]$/.test(stored)).toBe(false);
    const event = runEvent(caller, 'proj', 'run_1', 'run.patched', { telemetry_summary: { note: stored } }, now);
    expect(validateEvent(JSON.parse(JSON.stringify(event)))).toBeUndefined();
  });

  it('makes events the event schema accepts, also for 1000 executions at the limits', () => {
    const patch = runEvent(
      caller,
      'proj',
      'run_1',
      'run.patched',
      patchPayload({ status: 'running', telemetrySummary: { hasOwnProperty: 1 }, telemetrySamples: [{ at: '2026-02-26T06:00:00Z', valueOf: 1 }] }, now),
      now,
    );
    expect(validateEvent(JSON.parse(JSON.stringify(patch)))).toBeUndefined();
    const executions = Array.from({ length: 1000 }, (_, i) =>
      toModelExecution({
        model_name: 'm'.repeat(512),
        status: i % 2 ? 'succeeded' : 'running',
        started_at: '1900-01-01T00:00:00Z',
        completed_at: null as unknown as undefined,
        rows_processed: Number.MAX_SAFE_INTEGER,
        bytes_processed: 0,
      }),
    );
    const reported = runEvent(caller, 'proj', 'run_1', 'model_executions.reported', { executions }, now);
    expect(validateEvent(JSON.parse(JSON.stringify(reported)))).toBeUndefined();
    expect(executions[0]).toMatchObject({ completed_at: null, interval_end: null, status: 'running' });
    expect(executions[1].status).toBe('success');
  });
});
