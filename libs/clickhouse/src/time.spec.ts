import fc from 'fast-check';
import { toChDateTime } from './time';

/** What toChDateTime has always returned: through a Date. */
function throughDate(value: string): string {
  return new Date(value).toISOString().replace('T', ' ').replace('Z', '');
}

describe('toChDateTime', () => {
  it('gives what a Date gives for any canonical UTC timestamp', () => {
    const dates = fc.date({ min: new Date('1900-01-01T00:00:00.000Z'), max: new Date('2299-12-31T23:59:59.999Z'), noInvalidDate: true });
    fc.assert(fc.property(dates, (date) => toChDateTime(date.toISOString()) === throughDate(date.toISOString())));
  });

  it.each([
    '2026-02-28T23:59:59.999Z',
    '2026-02-29T00:00:00.000Z', // not a date: a Date rolls it over, and so does toChDateTime
    '2024-02-29T12:00:00.000Z',
    '2026-04-31T00:00:00.000Z',
    '2026-01-31T10:00:00.000Z',
    '2026-01-01T24:00:00.000Z',
    '2026-03-01T07:00:00+02:00',
    '2026-03-01T07:00:00.123456Z',
  ])('falls back to a Date for %s', (value) => {
    expect(toChDateTime(value)).toBe(throughDate(value));
  });

  it('formats dates and epoch milliseconds, and refuses what is not a time', () => {
    expect(toChDateTime(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)))).toBe('2026-01-02 03:04:05.006');
    expect(toChDateTime(0)).toBe('1970-01-01 00:00:00.000');
    expect(() => toChDateTime('2026-13-01T00:00:00.000Z')).toThrow(RangeError);
  });
});
