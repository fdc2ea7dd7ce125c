import { decodeEvent, encodeEvent } from './codec';
import { RunEventEnvelope } from './envelope';
import { uuidv7 } from './uuidv7';

function event(overrides: Partial<RunEventEnvelope> = {}): RunEventEnvelope {
  return {
    event_id: uuidv7(),
    type: 'run.patched',
    schema_version: 1,
    org_id: 'org_a',
    project_id: 'proj_a',
    run_id: 'run_1',
    occurred_at: '2026-02-26T06:00:00.000Z',
    actor: 'tok_1',
    payload: { status: 'running' },
    ...overrides,
  } as RunEventEnvelope;
}

describe('decodeEvent', () => {
  it('round-trips an encoded event', () => {
    const original = event();
    expect(decodeEvent(encodeEvent(original))).toEqual({ ok: true, event: original });
  });

  it.each([
    [null, 'empty message value'],
    [Buffer.from('{not json'), 'undecodable JSON'],
    [Buffer.from('[1,2]'), 'envelope is not a JSON object'],
    [encodeEvent(event({ schema_version: 2 })), 'unknown schema_version 2'],
    [encodeEvent(event({ type: 'run.exploded' as 'run.patched' })), 'unknown event type "run.exploded"'],
    [encodeEvent(event({ run_id: '' })), 'invalid event: run_id:'],
    [encodeEvent(event({ event_id: 'nope' })), 'invalid event: event_id: must be a lowercase UUID'],
    [encodeEvent(event({ occurred_at: 'yesterday' })), 'invalid event: occurred_at: must be an RFC 3339 date-time'],
    [encodeEvent(event({ payload: 'x' as unknown as RunEventEnvelope['payload'] })), 'invalid event: payload:'],
    [encodeEvent(event({ payload: { status: 'exploded' } as unknown as RunEventEnvelope['payload'] })), 'invalid event: payload.status:'],
    [
      Buffer.from(encodeEvent(event()).toString().replace('"payload":{', '"payload":{"telemetry_summary":{"rows":1e999},')),
      'invalid event: payload.telemetry_summary.rows:',
    ],
  ])('rejects %s with a reason', (value, reason) => {
    const result = decodeEvent(value);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });
});
