import {
  biDatabaseFor,
  biPasswordFor,
  biUserFor,
  chdbOrgViewStatements,
  serverGrantStatements,
  serverRevokeStatements,
  serverTables,
  stringLiteral,
} from './bi-access';

const grant = (orgId = 'acme') =>
  serverGrantStatements({
    database: 'runstream',
    orgId,
    password: 'p4ss',
    appUsers: ['runstream'],
    maxExecutionSeconds: 10,
    maxMemoryBytes: 536870912,
    maxResultRows: 500000,
    maxResultBytes: 134217728,
  });

describe('BI access DDL', () => {
  it('names each organisation apart, readable and collision-free', () => {
    expect(biDatabaseFor('acme')).toMatch(/^bi_acme_[0-9a-f]{10}$/);
    expect(biDatabaseFor('Acme')).not.toBe(biDatabaseFor('acme'));
    expect(biDatabaseFor("a'b; DROP")).toMatch(/^bi_a_b_drop_[0-9a-f]{10}$/);
    expect(biUserFor('acme')).toBe(biDatabaseFor('acme'));
  });

  it('keeps any organisation id one string literal', () => {
    expect(stringLiteral("o'r\\g")).toBe("'o\\'r\\\\g'");
  });

  it('chDB: one database per organisation of the documented views filtered to its id', () => {
    const statements = chdbOrgViewStatements('runstream', "o'1");
    expect(statements[0]).toBe(`CREATE DATABASE IF NOT EXISTS ${biDatabaseFor("o'1")}`);
    expect(statements).toContain(
      `CREATE OR REPLACE VIEW ${biDatabaseFor("o'1")}.run_daily_stats AS SELECT * FROM runstream.run_daily_stats WHERE org_id = 'o\\'1'`,
    );
    expect(statements).toHaveLength(10);
    expect(() => chdbOrgViewStatements('run stream', 'acme')).toThrow(/identifier/);
  });

  it('server: a readonly user whose limits are CONST, SELECT on the views and their tables, a row policy per table', () => {
    const statements = grant();
    const user = biUserFor('acme');
    expect(statements[0]).toMatch(
      new RegExp(
        `^CREATE SETTINGS PROFILE OR REPLACE ${user}_limits SETTINGS readonly = 2 CONST, max_execution_time = 10 CONST, max_memory_usage = 536870912 CONST, max_result_rows = 500000 CONST, max_result_bytes = 134217728 CONST, result_overflow_mode = 'throw' CONST, log_queries = 1 CONST$`,
      ),
    );
    expect(statements[1]).toBe(
      `CREATE USER OR REPLACE ${user} IDENTIFIED WITH sha256_password BY 'p4ss' DEFAULT DATABASE runstream SETTINGS PROFILE '${user}_limits'`,
    );
    expect(statements).toContain(`GRANT SELECT ON runstream.runs_current TO ${user}`);
    expect(statements).toContain(`CREATE ROW POLICY OR REPLACE ${user} ON runstream.runs AS PERMISSIVE FOR SELECT USING org_id = 'acme' TO ${user}`);
    expect(statements).toContain('CREATE ROW POLICY OR REPLACE runstream_apps ON runstream.runs AS PERMISSIVE FOR SELECT USING 1 TO runstream');
    for (const table of serverTables())
      expect(statements.filter((s) => s.includes(`ON runstream.${table} `) && s.startsWith('CREATE ROW POLICY'))).toHaveLength(2);
    // The delivery log's view and its table (row policy above) are served; the request bodies are the organisation's own.
    expect(statements).toContain(`GRANT SELECT ON runstream.webhook_delivery_attempts TO ${user}`);
    // Nothing that could reach secrets, other tables, or lift the mode.
    expect(statements.some((s) => /\bjobs\b|jobs_current|api_tokens|ALL|\*|CREATE TEMPORARY|READ ON|readonly = [01]/.test(s))).toBe(false);
    expect(statements.filter((s) => s.startsWith('GRANT')).every((s) => s.startsWith('GRANT SELECT ON runstream.'))).toBe(true);
  });

  it('server: revoke drops the user, its policies and its profile', () => {
    const user = biUserFor('acme');
    expect(serverRevokeStatements('runstream', 'acme')).toEqual([
      `DROP USER IF EXISTS ${user}`,
      ...serverTables().map((t) => `DROP ROW POLICY IF EXISTS ${user} ON runstream.${t}`),
      `DROP SETTINGS PROFILE IF EXISTS ${user}_limits`,
    ]);
  });

  it('derives a password per organisation from the key, never the same for two', () => {
    expect(biPasswordFor('acme', 'k'.repeat(16))).toBe(biPasswordFor('acme', 'k'.repeat(16)));
    expect(biPasswordFor('acme', 'k'.repeat(16))).not.toBe(biPasswordFor('acme2', 'k'.repeat(16)));
    expect(biPasswordFor('acme', 'k'.repeat(16))).not.toBe(biPasswordFor('acme', 'j'.repeat(16)));
  });
});
