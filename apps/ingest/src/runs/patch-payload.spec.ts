import { patchPayload } from './run.service';

describe('patchPayload', () => {
  const now = new Date('2026-02-26T06:00:00.000Z');

  it('carries only the fields the PATCH sent: no undefined values reach the event', () => {
    const payload = patchPayload({ status: 'succeeded' }, now);
    expect(payload).toEqual({ status: 'success' });
    expect(Object.values(payload)).not.toContain(undefined);
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
});
