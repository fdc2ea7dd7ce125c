import { RunRow } from '@runstream/clickhouse';
import { AnyRunEvent, MAX_TELEMETRY_SUMMARY_KEYS, RunPatchedPayload, uuidv7 } from '@runstream/events';
import { foldRunEvent, FoldOutcome, version } from './run-fold';
import { mergeSummary } from './run-telemetry';

const base = { schema_version: 1, org_id: 'org_a', project_id: 'proj_a', run_id: 'run_1', actor: 'tok_1' };

function createdEvent(at = '2026-02-26T05:59:00.000Z'): AnyRunEvent {
  return {
    ...base,
    event_id: uuidv7(),
    type: 'run.created',
    occurred_at: at,
    payload: {
      job_id: 'job_1',
      job_name: 'nightly-1',
      cronjob_name: 'nightly',
      namespace: 'ns',
      job_type: 'run',
      triggered_by: 'scheduled',
      target_gateway: '',
    },
  };
}

function patchedEvent(payload: RunPatchedPayload, at: string): AnyRunEvent {
  return { ...base, event_id: uuidv7(), type: 'run.patched', occurred_at: at, payload };
}

function applied(outcome: FoldOutcome): RunRow {
  if (outcome.kind !== 'applied' || !outcome.row) throw new Error(`expected an applied run row, got ${JSON.stringify(outcome)}`);
  return outcome.row;
}

function replay(events: AnyRunEvent[], partition = 0): RunRow {
  let state: RunRow | undefined;
  events.forEach((event, offset) => {
    state = applied(foldRunEvent(state, event, { partition, offset: String(offset) }));
  });
  if (!state) throw new Error('no events');
  return state;
}

describe('foldRunEvent', () => {
  it('keeps the argv of a run the control plane started', () => {
    const event = createdEvent();
    if (event.type !== 'run.created') throw new Error('unreachable');
    const row = replay([{ ...event, payload: { ...event.payload, command_argv: ['dbt', 'build', '--select', 'orders'] } }]);
    expect(row.command_argv).toEqual(['dbt', 'build', '--select', 'orders']);
    expect(replay([createdEvent()]).command_argv).toEqual([]);
  });

  it('treats a second announcement of the same scheduled run as the same run, any other repeat as a conflict', () => {
    const state = replay([createdEvent()]);
    expect(foldRunEvent(state, createdEvent(), { partition: 0, offset: '5' })).toEqual({ kind: 'ignored' });
    const manual = createdEvent();
    if (manual.type !== 'run.created') throw new Error('unreachable');
    const repeated = { ...manual, payload: { ...manual.payload, triggered_by: 'manual' as const } };
    expect(foldRunEvent(state, repeated, { partition: 0, offset: '6' })).toEqual({ kind: 'rejected', reason: 'run run_1 already exists' });
    const otherJob = { ...manual, payload: { ...manual.payload, job_id: 'job_2' } };
    expect(foldRunEvent(state, otherJob, { partition: 0, offset: '7' }).kind).toBe('rejected');
  });

  it('creates a pending run stamped with the ingest time', () => {
    const row = replay([createdEvent()]);
    expect(row).toMatchObject({
      id: 'run_1',
      status: 'pending',
      cronjob_name: 'nightly',
      created_at: '2026-02-26 05:59:00.000',
      updated_at: '2026-02-26 05:59:00.000',
      start_time: null,
      end_time: null,
      duration_seconds: null,
      event_count: 1,
      kafka_offset: '0',
    });
  });

  it('starts the clock at running and stops it at a terminal status', () => {
    const row = replay([
      createdEvent(),
      patchedEvent({ status: 'running' }, '2026-02-26T06:00:00.000Z'),
      patchedEvent({ status: 'success' }, '2026-02-26T06:12:34.567Z'),
    ]);
    expect(row).toMatchObject({
      status: 'success',
      start_time: '2026-02-26 06:00:00.000',
      end_time: '2026-02-26 06:12:34.567',
      duration_seconds: 754.567,
      event_count: 3,
    });
    expect(row.updated_at).toBe('2026-02-26 06:12:34.567');
  });

  it('prefers the times the runner reports', () => {
    const row = replay([
      createdEvent(),
      patchedEvent({ status: 'running', started_at: '2026-02-26T05:00:00.000Z' }, '2026-02-26T06:00:00.000Z'),
      patchedEvent({ status: 'failed', finished_at: '2026-02-26T05:30:00.500Z' }, '2026-02-26T06:10:00.000Z'),
    ]);
    expect(row).toMatchObject({ status: 'failed', start_time: '2026-02-26 05:00:00.000', end_time: '2026-02-26 05:30:00.500', duration_seconds: 1800.5 });
  });

  it('skips an event the state already holds, so a replayed batch changes nothing', () => {
    const events = [createdEvent(), patchedEvent({ status: 'running' }, '2026-02-26T06:00:00.000Z')];
    const state = replay(events);
    expect(foldRunEvent(state, events[1], { partition: 0, offset: '1' })).toEqual({ kind: 'already-applied' });
    expect(foldRunEvent(state, events[0], { partition: 0, offset: '0' })).toEqual({ kind: 'already-applied' });
  });

  it('compares offsets as 64-bit integers, not strings', () => {
    const state = { ...replay([createdEvent()]), kafka_offset: '9' };
    const next = foldRunEvent(state, patchedEvent({ status: 'running' }, '2026-02-26T06:00:00.000Z'), { partition: 0, offset: '10' });
    expect(next.kind).toBe('applied');
  });

  it('rejects leaving a terminal status', () => {
    const state = replay([createdEvent(), patchedEvent({ status: 'success' }, '2026-02-26T06:00:00.000Z')]);
    const outcome = foldRunEvent(state, patchedEvent({ status: 'running' }, '2026-02-26T06:01:00.000Z'), { partition: 0, offset: '2' });
    expect(outcome).toEqual({ kind: 'rejected', reason: 'run is success; a terminal run cannot become running' });
  });

  it('keeps the status of a terminal run, and the logs and telemetry, of a late PATCH ingest accepted from a stale view', () => {
    const state = replay([createdEvent(), patchedEvent({ status: 'error', error_summary: 'agent lease expired' }, '2026-02-26T06:00:00.000Z')]);
    const late = patchedEvent(
      {
        status: 'success',
        finished_at: '2026-02-26T06:05:00.000Z',
        error_summary: '',
        append_log: { at: '2026-02-26T06:04:59.000Z', level: 'info', message: 'Completed successfully' },
        telemetry_summary: { rowsLoaded: 42 },
      },
      '2026-02-26T06:05:00.000Z',
    );
    const outcome = foldRunEvent(state, late, { partition: 0, offset: '2' });
    const row = applied(outcome);
    expect(row).toMatchObject({ status: 'error', error_summary: 'agent lease expired', end_time: state.end_time, log_count: 1 });
    expect(JSON.parse(row.telemetry_summary)).toEqual({ rowsLoaded: 42 });
    expect(outcome.kind === 'applied' && outcome.logs.map((line) => line.message)).toEqual(['Completed successfully']);
  });

  it('accepts a repeated terminal status as a plain update', () => {
    const state = replay([createdEvent(), patchedEvent({ status: 'success' }, '2026-02-26T06:00:00.000Z')]);
    const row = applied(foldRunEvent(state, patchedEvent({ status: 'success' }, '2026-02-26T06:01:00.000Z'), { partition: 0, offset: '2' }));
    expect(row.end_time).toBe('2026-02-26 06:00:00.000');
  });

  it('rejects a patch for a run it has never seen and a second create', () => {
    expect(foldRunEvent(undefined, patchedEvent({ status: 'running' }, '2026-02-26T06:00:00.000Z'), { partition: 0, offset: '0' })).toEqual({
      kind: 'rejected',
      reason: 'run run_1 is unknown',
    });
    const state = replay([createdEvent()]);
    const again = createdEvent();
    if (again.type !== 'run.created') throw new Error('unreachable');
    expect(foldRunEvent(state, { ...again, payload: { ...again.payload, job_id: '' } }, { partition: 0, offset: '1' })).toEqual({
      kind: 'rejected',
      reason: 'run run_1 already exists',
    });
  });
});

describe('foldRunEvent: logs, samples, claims, executions', () => {
  function applyAll(events: AnyRunEvent[]): { state: RunRow; outcomes: FoldOutcome[] } {
    let state: RunRow | undefined;
    const outcomes = events.map((event, offset) => {
      const outcome = foldRunEvent(state, event, { partition: 0, offset: String(offset) });
      if (outcome.kind === 'applied' && outcome.row) state = outcome.row;
      return outcome;
    });
    if (!state) throw new Error('no state');
    return { state, outcomes };
  }

  const log = (i: number) => patchedEvent({ append_log: { at: '2026-02-26T06:00:00.000Z', level: 'info', message: `line ${i}` } }, '2026-02-26T06:00:00.000Z');

  it('keeps the newest 500 log lines: line 501 takes the slot of line 1', () => {
    const { state, outcomes } = applyAll([createdEvent(), ...Array.from({ length: 501 }, (_, i) => log(i))]);
    expect(state.log_count).toBe(501);
    const last = outcomes[501];
    expect(last.kind === 'applied' && last.logs).toEqual([expect.objectContaining({ slot: 0, seq: 500, generation: 0, message: 'line 500' })]);
  });

  it('replaces the log in a new generation, then appends after it', () => {
    const replace = patchedEvent(
      {
        log_entries: [
          { at: '2026-02-26T06:00:01.000Z', level: 'info', message: 'a' },
          { at: '2026-02-26T06:00:02.000Z', level: 'error', message: 'b' },
        ],
        append_log: { at: '2026-02-26T06:00:03.000Z', level: 'warn', message: 'c' },
      },
      '2026-02-26T06:00:03.000Z',
    );
    const { state, outcomes } = applyAll([createdEvent(), log(0), replace]);
    expect(state).toMatchObject({ log_generation: 1, log_count: 3 });
    const rows = outcomes[2].kind === 'applied' ? outcomes[2].logs : [];
    expect(rows.map((r) => [r.generation, r.slot, r.message, r.level])).toEqual([
      [1, 0, 'a', 'info'],
      [1, 1, 'b', 'error'],
      [1, 2, 'c', 'warn'],
    ]);
    expect(new Set(rows.map((r) => r.version)).size).toBe(3);
  });

  it('keeps the newest 2,000 of a larger sample replace and merges the summary shallowly', () => {
    const samples = Array.from({ length: 2500 }, (_, i) => ({ at: '2026-02-26T06:00:00.000Z', values: { rowsLoaded: i } }));
    const { state, outcomes } = applyAll([
      createdEvent(),
      patchedEvent({ telemetry_summary: { rowsLoaded: 1, currentPhase: 'extract' } }, '2026-02-26T06:00:01.000Z'),
      patchedEvent({ telemetry_samples: samples, telemetry_summary: { rowsLoaded: 2 } }, '2026-02-26T06:00:02.000Z'),
    ]);
    expect(JSON.parse(state.telemetry_summary)).toEqual({ rowsLoaded: 2, currentPhase: 'extract' });
    expect(state).toMatchObject({ sample_generation: 1, sample_count: 2500 });
    const rows = outcomes[2].kind === 'applied' ? outcomes[2].samples : [];
    expect(rows).toHaveLength(2000);
    expect(rows[0]).toMatchObject({ seq: 500, slot: 500, values: { rowsLoaded: 500 } });
    expect(rows[1999]).toMatchObject({ seq: 2499, slot: 499, values: { rowsLoaded: 2499 } });
  });

  it('lets the first claim win and ignores the rest', () => {
    const claim = (gateway: string, id: string): AnyRunEvent => ({
      ...base,
      event_id: uuidv7(),
      type: 'run.claimed',
      occurred_at: '2026-02-26T06:00:00.000Z',
      payload: { gateway, claim_id: id },
    });
    const { state, outcomes } = applyAll([createdEvent(), claim('gw-1', 'c1'), claim('gw-1', 'c2')]);
    expect(state).toMatchObject({ claimed_by: 'gw-1', claim_id: 'c1', status: 'pending' });
    expect(outcomes[2]).toEqual({ kind: 'ignored' });
  });

  it("writes executions with the parent run's cronjob_name and keeps a known created_at", () => {
    const report: AnyRunEvent = {
      ...base,
      event_id: uuidv7(),
      type: 'model_executions.reported',
      occurred_at: '2026-02-26T06:05:00.000Z',
      payload: {
        executions: [
          {
            id: 'e1',
            model_name: 'm',
            status: 'success',
            started_at: '2026-02-26T06:01:15.000Z',
            completed_at: '2026-02-26T06:03:45.234Z',
            rows_processed: 10,
            bytes_processed: 20,
            interval_start: null,
            interval_end: null,
          },
          {
            id: 'e2',
            model_name: 'm',
            status: 'running',
            started_at: '2026-02-26T06:04:00.000Z',
            completed_at: null,
            rows_processed: null,
            bytes_processed: null,
            interval_start: null,
            interval_end: null,
          },
        ],
      },
    };
    const state = replay([createdEvent()]);
    const outcome = foldRunEvent(state, report, { partition: 0, offset: '7' }, (key) => (key.id === 'e1' ? '2026-02-20 00:00:00.000' : undefined));
    if (outcome.kind !== 'applied') throw new Error('not applied');
    expect(outcome.row).toBeUndefined();
    expect(outcome.executions).toEqual([
      expect.objectContaining({
        id: 'e1',
        job_run_id: 'run_1',
        cronjob_name: 'nightly',
        duration_seconds: 150.234,
        created_at: '2026-02-20 00:00:00.000',
        updated_at: '2026-02-26 06:05:00.000',
        version: '70000',
      }),
      expect.objectContaining({ id: 'e2', duration_seconds: null, completed_at: null, created_at: '2026-02-26 06:05:00.000', version: '70001' }),
    ]);
  });
});

describe('mergeSummary (bounded telemetry summary)', () => {
  const keys = (from: number, count: number, value = 1) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${from + i}`, value]));

  it('keeps at most MAX_TELEMETRY_SUMMARY_KEYS keys across PATCHes: existing keys update, new keys fill the room in PATCH order', () => {
    let summary = '{}';
    for (let patch = 0; patch < 4; patch += 1) summary = mergeSummary(summary, keys(patch * 64, 64));
    expect(Object.keys(JSON.parse(summary))).toHaveLength(MAX_TELEMETRY_SUMMARY_KEYS);
    const next = JSON.parse(mergeSummary(summary, { k0: 7, extra_a: 1, k255: 8, extra_b: 2 }));
    expect(Object.keys(next)).toHaveLength(MAX_TELEMETRY_SUMMARY_KEYS);
    expect(next).toMatchObject({ k0: 7, k255: 8 });
    expect(next).not.toHaveProperty('extra_a');

    const roomForOne = mergeSummary(JSON.stringify(keys(0, MAX_TELEMETRY_SUMMARY_KEYS - 1)), { extra_a: 1, extra_b: 2, k0: null });
    expect(JSON.parse(roomForOne)).toMatchObject({ extra_a: 1, k0: null });
    expect(JSON.parse(roomForOne)).not.toHaveProperty('extra_b');
  });

  it('is deterministic and prototype-free on replay', () => {
    const patch = JSON.parse('{"b":1,"a":2,"__proto__":{"x":1}}') as Record<string, number>;
    expect(mergeSummary('{"z":0}', patch)).toBe(mergeSummary('{"z":0}', patch));
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('version', () => {
  it('is offset × 10,000 + index, as the BigInt arithmetic it replaced computes it', () => {
    const offsets = ['0', '1', '9', '10', '12345', '9007199254740993', '18446744073709551615'];
    for (const offset of offsets) {
      for (const index of [0, 1, 9, 10, 99, 100, 999, 1000, 9999]) {
        expect(version({ partition: 0, offset }, index)).toBe((BigInt(offset) * 10_000n + BigInt(index)).toString());
      }
    }
  });
});
