import { ClickHouseError } from '@clickhouse/client';
import { isDataRefusal, refusalReason } from './clickhouse-errors';

describe('ClickHouse error classification', () => {
  const error = (type: string, code: string) => new ClickHouseError({ message: `${type} happened\n  at row 1`, code, type });

  it("treats value-level refusals as the data's fault", () => {
    expect(isDataRefusal(error('VIOLATED_CONSTRAINT', '469'))).toBe(true);
    expect(isDataRefusal(error('CANNOT_PARSE_ESCAPE_SEQUENCE', '25'))).toBe(true);
    expect(isDataRefusal(error('CANNOT_PARSE_DATETIME', '41'))).toBe(true);
  });

  it('never blames the data for an unavailable server, a schema problem or a plain error', () => {
    for (const [type, code] of [
      ['TOO_MANY_PARTS', '252'],
      ['MEMORY_LIMIT_EXCEEDED', '241'],
      ['TIMEOUT_EXCEEDED', '159'],
      ['UNKNOWN_TABLE', '60'],
      ['AUTHENTICATION_FAILED', '516'],
    ]) {
      expect(isDataRefusal(error(type, code))).toBe(false);
    }
    expect(isDataRefusal(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isDataRefusal('VIOLATED_CONSTRAINT')).toBe(false);
  });

  it('recognises the ClickHouseError of another copy of the client (chDB bundles one)', () => {
    class ClickHouseError extends Error {
      constructor(
        readonly code: string,
        readonly type: string,
      ) {
        super('refused');
      }
    }
    expect(isDataRefusal(new ClickHouseError('27', 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'))).toBe(true);
  });

  it('names type, code and message on one bounded line', () => {
    const reason = refusalReason(new ClickHouseError({ message: `x${'y'.repeat(5000)}\nz`, code: '469', type: 'VIOLATED_CONSTRAINT' }));
    expect(reason.startsWith('ClickHouse refused the event: VIOLATED_CONSTRAINT (469): xyyy')).toBe(true);
    expect(reason.length).toBeLessThan(1100);
    expect(reason).not.toContain('\n');
  });
});
