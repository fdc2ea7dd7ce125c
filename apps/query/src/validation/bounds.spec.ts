import { toChDateTime } from '@runstream/clickhouse';
import { parseDecimalInteger } from '@runstream/http';
import { isCalendarDate, MAX_TIMESTAMP_MS, parseTimestamp } from './bounds';

describe('parseDecimalInteger', () => {
  it.each(['0', '1', '42', '007', '9999999999999999'])('accepts %p', (value) => {
    expect(parseDecimalInteger(value)).toBe(Number(value));
  });

  it.each(['1e300', '-0', '-1', '+1', '1.5', '1.0', '0x10', ' 1', '1 ', '', 'Infinity', 'NaN', '12345678901234567', '١'])('refuses %p', (value) => {
    expect(parseDecimalInteger(value)).toBeUndefined();
  });

  it('refuses arrays and non-strings', () => {
    expect(parseDecimalInteger(['1', '2'])).toBeUndefined();
    expect(parseDecimalInteger(1)).toBeUndefined();
    expect(parseDecimalInteger(undefined)).toBeUndefined();
  });
});

describe('parseTimestamp', () => {
  it.each([
    ['2026-02-26T06:12:34.123Z', Date.UTC(2026, 1, 26, 6, 12, 34, 123)],
    ['2026-02-26t06:12:34z', Date.UTC(2026, 1, 26, 6, 12, 34)],
    ['2026-02-26T07:12:34+01:00', Date.UTC(2026, 1, 26, 6, 12, 34)],
    ['2026-02-26T06:12:34.123456789Z', Date.UTC(2026, 1, 26, 6, 12, 34, 123)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['1970-01-01T00:00:00Z', 0],
    ['2299-12-31T23:59:59.999Z', MAX_TIMESTAMP_MS],
  ])('accepts %p', (value, ms) => {
    expect(parseTimestamp(value)).toBe(ms);
    expect(() => toChDateTime(value)).not.toThrow();
  });

  it.each([
    '2026-W09',
    '20260226T0700Z',
    '2026-02-26',
    '2026-02-26T06:12Z',
    '2026-02-26 06:12:34Z',
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-02-26T24:00:00Z',
    '2026-02-26T23:59:60Z',
    '2026-02-26T06:12:34+24:00',
    '2026-02-26T06:12:34',
    '1969-12-31T23:59:59.999Z',
    '1970-01-01T00:30:00+01:00',
    '2300-01-01T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    ' 2026-02-26T06:12:34Z',
    'yesterday',
    '',
  ])('refuses %p', (value) => {
    expect(parseTimestamp(value)).toBeUndefined();
  });

  it('refuses arrays', () => {
    expect(parseTimestamp(['2026-02-26T06:12:34Z'])).toBeUndefined();
  });
});

describe('isCalendarDate', () => {
  it.each(['2026-02-26', '2024-02-29', '1970-01-01', '2149-06-06'])('accepts %p', (value) => expect(isCalendarDate(value)).toBe(true));
  it.each(['2026-02-30', '2025-02-29', '2026-13-01', '2026-00-10', '1969-12-31', '2149-06-07', '2026-W09', '20260226', '2026-2-6', ''])(
    'refuses %p',
    (value) => {
      expect(isCalendarDate(value)).toBe(false);
    },
  );
});
