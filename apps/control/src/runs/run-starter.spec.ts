import { newRunId, runJobName } from './run-starter';

describe('run names and ids', () => {
  it('names a run <project>-<job>-<YYYYMMDD-HHMMSS> in UTC', () => {
    expect(runJobName('analytics', 'nightly-refresh', new Date('2026-04-28T12:00:00.999Z'))).toBe('analytics-nightly-refresh-20260428-120000');
    expect(runJobName('p', 'j', new Date('2026-01-02T03:04:05+02:00'))).toBe('p-j-20260102-010405');
  });

  it('mints run_ + 32 hex, different each time', () => {
    const [a, b] = [newRunId(), newRunId()];
    expect(a).toMatch(/^run_[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
  });
});
