import { isTerminal, RUN_STATUSES, toCanonicalStatus } from './statuses';

describe('statuses', () => {
  it('maps the runner vocabulary onto canonical statuses', () => {
    expect(toCanonicalStatus('queued')).toBe('pending');
    expect(toCanonicalStatus('succeeded')).toBe('success');
    expect(toCanonicalStatus('canceled')).toBe('cancelled');
    expect(toCanonicalStatus('exploded')).toBeUndefined();
  });

  it('accepts every canonical status as itself', () => {
    for (const status of RUN_STATUSES) expect(toCanonicalStatus(status)).toBe(status);
  });

  it('treats every status but pending and running as terminal', () => {
    expect(RUN_STATUSES.filter(isTerminal)).toEqual(['success', 'partial', 'failed', 'error', 'cancelled']);
  });
});
