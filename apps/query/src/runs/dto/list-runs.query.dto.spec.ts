import { toBoolean } from './list-runs.query.dto';

describe('toBoolean (include_stats, include_telemetry)', () => {
  it.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['1', true],
    ['false', false],
    ['False', false],
    ['0', false],
  ])('reads %p as %p', (value, expected) => {
    expect(toBoolean({ value })).toBe(expected);
  });

  it.each(['maybe', 'yes', '', ' true', '2', ['true', 'false']])('leaves %p for @IsBoolean to refuse', (value) => {
    expect(toBoolean({ value })).toEqual(value);
  });
});
