import { bucketCount, bucketStarts, MAX_BUCKETS, statsWindowProblems } from './execution-stats';

const HOUR = 3_600_000;
const DAY = 86_400_000;

describe('bucket arithmetic', () => {
  it('counts exactly the buckets bucketStarts lists, aligned or not', () => {
    const cases: [number, number, 'hourly' | 'daily'][] = [
      [0, HOUR, 'hourly'],
      [1, HOUR, 'hourly'],
      [HOUR - 1, HOUR + 1, 'hourly'],
      [5 * HOUR + 17, 9 * HOUR, 'hourly'],
      [5 * HOUR + 17, 9 * HOUR + 1, 'hourly'],
      [Date.UTC(2026, 1, 26, 7), Date.UTC(2026, 2, 3), 'daily'],
      [Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1), 'daily'],
    ];
    for (const [from, to, granularity] of cases) {
      const starts = bucketStarts(from, to, granularity);
      expect(bucketCount(from, to, granularity)).toBe(starts.length);
      expect(starts[0]).toBeLessThanOrEqual(from);
      expect(starts[starts.length - 1]).toBeLessThan(to);
    }
  });

  it('is zero for an empty or reversed window', () => {
    expect(bucketCount(10, 10, 'hourly')).toBe(0);
    expect(bucketCount(10, 5, 'daily')).toBe(0);
  });

  it('sizes the largest accepted range without building it', () => {
    expect(bucketCount(0, 8_640_000_000_000_000, 'hourly')).toBe(2_400_000_000);
    expect(bucketCount(0, Date.UTC(2300, 0, 1) - 1, 'daily')).toBe(Date.UTC(2300, 0, 1) / DAY);
  });

  it('refuses to list more than the maximum', () => {
    expect(() => bucketStarts(0, 10 * 365 * DAY, 'hourly')).toThrow(RangeError);
    expect(bucketStarts(0, MAX_BUCKETS.hourly * HOUR, 'hourly')).toHaveLength(MAX_BUCKETS.hourly);
  });
});

describe('statsWindowProblems', () => {
  it('accepts 31 days hourly or 366 days daily, however the range is aligned to buckets', () => {
    expect(statsWindowProblems(0, 744 * HOUR, 'hourly')).toEqual([]);
    expect(statsWindowProblems(0, 366 * DAY, 'daily')).toEqual([]);
    // "The last year" from now: 366 days starting mid-day span 367 daily buckets.
    const now = Date.UTC(2026, 10, 27, 5, 30);
    expect(statsWindowProblems(now - 366 * DAY, now, 'daily')).toEqual([]);
    expect(bucketStarts(now - 366 * DAY, now, 'daily')).toHaveLength(367);
    expect(bucketStarts(now - 744 * HOUR, now, 'hourly')).toHaveLength(745);
  });

  it('names `to` when the window is reversed or too wide, suggesting daily buckets only for hourly', () => {
    expect(statsWindowProblems(5, 5, 'hourly')).toEqual([{ field: 'to', reasons: ['to must be after from'] }]);
    const [wide] = statsWindowProblems(0, 744 * HOUR + 1, 'hourly');
    expect(wide.field).toBe('to');
    expect(wide.reasons[0]).toContain('at most 31 days');
    expect(wide.reasons[0]).toContain('use daily granularity');
    const [year] = statsWindowProblems(1, 366 * DAY + 2, 'daily');
    expect(year.reasons[0]).toContain('at most 366 days');
    expect(year.reasons[0]).not.toContain('daily granularity');
  });

  it('refuses the widest range arithmetically, without listing its 2.4 billion buckets', () => {
    expect(statsWindowProblems(0, 8_640_000_000_000_000, 'hourly')[0].field).toBe('to');
  });
});
