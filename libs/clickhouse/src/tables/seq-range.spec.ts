import { currentRing } from './seq-range';

describe('currentRing', () => {
  const run = { org_id: 'org_a', project_id: 'proj_b', id: 'run_c' };

  it('covers every line the run row counts, from the first', () => {
    expect(currentRing(run, 2, '7')).toEqual({ org_id: 'org_a', project_id: 'proj_b', run_id: 'run_c', generation: 2, after: -1, before: 7 });
  });

  it('is nothing to read when the row counts no line', () => {
    expect(currentRing(run, 3, 0)).toBeUndefined();
    expect(currentRing(run, 0, '0')).toBeUndefined();
  });
});
