import { duration } from './format';

describe('duration', () => {
  it('never shows 60 seconds: it rounds once, then splits into minutes and seconds', () => {
    expect(duration(9.5)).toBe('9.50 s');
    expect(duration(59.94)).toBe('59.9 s');
    expect(duration(59.97)).toBe('1 m 0 s');
    expect(duration(119.6)).toBe('2 m 0 s');
    expect(duration(125)).toBe('2 m 5 s');
    expect(duration(3_599.6)).toBe('1 h 0 m');
    expect(duration(7_380)).toBe('2 h 3 m');
    expect(duration(null)).toBe('–');
  });
});
