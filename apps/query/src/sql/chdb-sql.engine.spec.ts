import { approvalKey } from './chdb-sql.engine';

describe('approvalKey', () => {
  const sql = 'SELECT * FROM run_daily_stats WHERE project_id = {project:String}';

  it('is the same for new values of literal parameters, so a dashboard is checked once', () => {
    expect(approvalKey('acme', sql, { project: 'a' })).toBe(approvalKey('acme', sql, { project: 'b' }));
  });

  it('differs by organisation and by text', () => {
    expect(approvalKey('acme', sql, { project: 'a' })).not.toBe(approvalKey('other', sql, { project: 'a' }));
    expect(approvalKey('acme', `${sql} LIMIT 1`, { project: 'a' })).not.toBe(approvalKey('acme', sql, { project: 'a' }));
  });

  it('counts the value of a parameter that stands for an identifier (it can name a table)', () => {
    const byTable = 'SELECT count() FROM { table : Identifier }';
    expect(approvalKey('acme', byTable, { table: 'runs_current' })).not.toBe(approvalKey('acme', byTable, { table: 'system.users' }));
    expect(approvalKey('acme', byTable, { table: 'runs_current', other: 'x' })).toBe(approvalKey('acme', byTable, { table: 'runs_current', other: 'y' }));
  });

  it('is a digest: a 1 MiB query text keeps no 1 MiB key in the cache', () => {
    const long = `SELECT 1 /* ${'\u0001'.repeat(1 << 20)} */`;
    expect(approvalKey('acme', long, {})).toHaveLength(43);
    expect(approvalKey('acme', long, {})).not.toBe(approvalKey('acme', `${long} `, {}));
  });
});
