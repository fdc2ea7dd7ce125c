import { approvalKey, identifierParameters } from './chdb-sql.engine';

describe('approvalKey', () => {
  const sql = 'SELECT * FROM run_daily_stats WHERE project_id = {project:String}';

  it('differs by organisation and by text', () => {
    expect(approvalKey('acme', sql)).toBe(approvalKey('acme', sql));
    expect(approvalKey('acme', sql)).not.toBe(approvalKey('other', sql));
    expect(approvalKey('acme', `${sql} LIMIT 1`)).not.toBe(approvalKey('acme', sql));
  });

  it('is a digest: a 1 MiB query text keeps no 1 MiB key in the cache', () => {
    const long = `SELECT 1 /* ${'\u0001'.repeat(1 << 20)} */`;
    expect(approvalKey('acme', long)).toHaveLength(43);
    expect(approvalKey('acme', long)).not.toBe(approvalKey('acme', `${long} `));
  });
});

describe('identifierParameters', () => {
  it('names the parameters that stand for identifiers in the canonical text, once each', () => {
    // As formatQuery prints them (comments and spaces inside the braces are gone).
    const canonical =
      'SELECT\n    {c:Identifier},\n    {p:String}\nFROM {d:Identifier}.{t:Identifier} AS x\nWHERE a IN ({t:Identifier}) AND b = {a$b:Identifier}\n';
    expect(identifierParameters(canonical)).toEqual(['c', 'd', 't', 'a$b']);
    expect(identifierParameters('SELECT {p:String}, {q:UInt8}\n')).toEqual([]);
  });

  it('gives up (undefined: nothing is remembered) on a text whose :Identifier} it cannot attribute', () => {
    expect(identifierParameters('SELECT * FROM {a:{b}:Identifier}\n')).toBeUndefined();
  });
});
