import { TupleParam } from '@clickhouse/client';
import { paramLiteral, SessionSettings, sqlString } from './embedded-statement';

describe('sqlString', () => {
  it('escapes backslashes before quotes, so no value ends the literal', () => {
    expect(sqlString("a'b")).toBe("'a\\'b'");
    expect(sqlString('a\\')).toBe("'a\\\\'");
    expect(sqlString("\\' OR 1=1 --")).toBe("'\\\\\\' OR 1=1 --'");
  });
});

describe('paramLiteral', () => {
  it('quotes the HTTP interface form of each value', () => {
    // The param form escapes a tab as \t; the literal escapes that backslash once more.
    expect(paramLiteral('a\tb')).toBe("'a\\\\tb'");
    expect(paramLiteral(42)).toBe("'42'");
    expect(paramLiteral(['x', "y'"])).toBe("'[\\'x\\',\\'y\\\\\\'\\']'");
    expect(paramLiteral([new TupleParam(['o', 'p'])])).toBe("'[(\\'o\\',\\'p\\')]'");
    expect(paramLiteral(null)).toBe("'\\\\N'");
  });
});

describe('SessionSettings', () => {
  it('sets a statement’s settings and parameters in one SET before it', () => {
    const session = new SessionSettings();
    expect(session.statement('SELECT {id:String}', { id: 'run_1' }, { max_result_rows: '10', result_overflow_mode: 'throw' })).toBe(
      "SET max_result_rows = '10', result_overflow_mode = 'throw', param_id = 'run_1'; SELECT {id:String}",
    );
  });

  it('does not repeat settings the session already holds', () => {
    const session = new SessionSettings();
    session.statement('SELECT 1', {}, { max_execution_time: 10 });
    expect(session.statement('SELECT 2', {}, { max_execution_time: 10 })).toBe('SELECT 2');
    expect(session.statement('SELECT 3', {}, { max_execution_time: 5 })).toBe('SET max_execution_time = 5; SELECT 3');
  });

  it('resets to DEFAULT what the previous statement set and this one does not', () => {
    const session = new SessionSettings();
    session.statement('SELECT 1', {}, { do_not_merge_across_partitions_select_final: 1, max_execution_time: 10 });
    expect(session.statement('SELECT 2', {}, { max_execution_time: 10 })).toBe('SET do_not_merge_across_partitions_select_final = DEFAULT; SELECT 2');
    expect(session.statement('SELECT 3', {}, {})).toBe('SET max_execution_time = DEFAULT; SELECT 3');
    expect(session.statement('SELECT 4', {}, {})).toBe('SELECT 4');
  });

  it('sets again, after a failure, whatever the failed statement touched', () => {
    const session = new SessionSettings();
    session.statement('SELECT 1', {}, { max_execution_time: 10, max_result_rows: '5' });
    session.statement('SELECT 2', {}, { max_execution_time: 10, log_comment: 'x' });
    session.failed();
    expect(session.statement('SELECT 3', {}, { max_execution_time: 10 })).toBe(
      'SET log_comment = DEFAULT, max_result_rows = DEFAULT, max_execution_time = 10; SELECT 3',
    );
  });

  it('raises max_query_size, in a statement of its own, for a SET longer than the default allows', () => {
    const session = new SessionSettings();
    const ids = Array.from({ length: 20_000 }, (_, i) => `run_${i}`.padEnd(40, 'x'));
    const text = session.statement('SELECT length({ids:Array(String)})', { ids }, {});
    const [, size] = /^SET max_query_size = (\d+); SET param_ids = /.exec(text) ?? [];
    expect(Number(size)).toBeGreaterThan(text.length - 100);
    // Left raised: the next long one fits.
    expect(session.statement('SELECT {ids:Array(String)}', { ids: ids.slice(1) }, {})).toMatch(/^SET param_ids = /);
  });

  it('refuses names that are not identifiers', () => {
    const session = new SessionSettings();
    expect(() => session.statement('SELECT 1', { 'x = 1; DROP': 1 }, {})).toThrow(/invalid setting or parameter name/);
    expect(() => session.statement('SELECT 1', {}, { 'a, b': 1 })).toThrow(/invalid setting or parameter name/);
  });
});
