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
  it('accepts up to 744 hourly or 366 daily buckets', () => {
    expect(statsWindowProblems(0, 744 * HOUR, 'hourly')).toEqual([]);
    expect(statsWindowProblems(0, 366 * DAY, 'daily')).toEqual([]);
  });

  it('names `to` when the window is reversed or too wide', () => {
    expect(statsWindowProblems(5, 5, 'hourly')).toEqual([{ field: 'to', reasons: ['to must be after from'] }]);
    const [wide] = statsWindowProblems(0, 744 * HOUR + 1, 'hourly');
    expect(wide.field).toBe('to');
    expect(wide.reasons[0]).toContain('745 hourly buckets');
    expect(statsWindowProblems(1, 366 * DAY + 1, 'daily')[0].reasons[0]).toContain('367 daily buckets');
  });

  it('answers the reported attack in well under a millisecond per call', () => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < 1000; i += 1) statsWindowProblems(0, 8_640_000_000_000_000, 'hourly');
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
  });
});
