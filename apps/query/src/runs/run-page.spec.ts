import { countedPerDay, firstDayHolding, statsOfDays } from './run-page';

describe('runs page planning', () => {
  const days = [
    { day: '2026-11-26', runs: 30 },
    { day: '2026-11-25', runs: 40 },
    { day: '2026-11-20', runs: 100 },
  ];

  it('finds the newest day from which a page ending at the nth run is read', () => {
    expect(firstDayHolding(days, 1)).toBe('2026-11-26');
    expect(firstDayHolding(days, 30)).toBe('2026-11-26');
    expect(firstDayHolding(days, 31)).toBe('2026-11-25');
    expect(firstDayHolding(days, 70)).toBe('2026-11-25');
    expect(firstDayHolding(days, 170)).toBe('2026-11-20');
  });

  it('has no such day when the page reaches past the oldest run', () => {
    expect(firstDayHolding(days, 171)).toBeUndefined();
    expect(firstDayHolding([], 1)).toBeUndefined();
  });

  it('counts per day only under the filters run_daily carries', () => {
    const base = { org_id: 'org_1', project_id: 'proj_1' };
    expect(countedPerDay(base)).toBe(true);
    expect(countedPerDay({ ...base, cronjob_name: 'nightly', status: 'failed' })).toBe(true);
    expect(countedPerDay({ ...base, job_type: 'plan' })).toBe(false);
    expect(countedPerDay({ ...base, updated_after: '2026-11-25 00:00:00.000' })).toBe(false);
  });

  it('sums the stats over the days, averaging successful runs with a duration', () => {
    const day = { day: '2026-11-26', runs: 10, successful: 6, failed: 2, errors: 1, timedSuccesses: 5, successSeconds: 50.0004 };
    expect(statsOfDays('proj_1', [day, { ...day, day: '2026-11-25', timedSuccesses: 1, successSeconds: 4 }])).toEqual({
      project_id: 'proj_1',
      total_runs: 20,
      successful_runs: 12,
      failed_runs: 4,
      error_runs: 2,
      avg_success_duration: 9,
    });
    expect(statsOfDays('proj_1', [{ ...day, timedSuccesses: 0, successSeconds: 0 }]).avg_success_duration).toBeNull();
    expect(statsOfDays('proj_1', [])).toMatchObject({ total_runs: 0, avg_success_duration: null });
  });
});
