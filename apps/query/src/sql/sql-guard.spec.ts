import { checkAst, checkQueryTree, isRefusedFunction, withoutFormat } from './sql-guard';

/** Dumps as chDB 3.4 (ClickHouse 26.7) prints them for EXPLAIN AST / EXPLAIN QUERY TREE. */
const SELECT_OWN = `SelectWithUnionQuery (children 1)
 ExpressionList (children 1)
  SelectQuery (children 2)
   ExpressionList (children 1)
    Function count (children 1)
     ExpressionList
   TablesInSelectQuery (children 1)
    TablesInSelectQueryElement (children 1)
     TableExpression (children 1)
      TableIdentifier runs_current (alias r)
`;

const wrap = (inner: string) => `SelectWithUnionQuery (children 1)
 ExpressionList (children 1)
  SelectQuery (children 2)
   ExpressionList (children 1)
    Asterisk
   TablesInSelectQuery (children 1)
    TablesInSelectQueryElement (children 1)
     TableExpression (children 1)
${inner}`;

describe('checkAst', () => {
  it('passes one SELECT over unqualified or own-database views and reports its FORMAT', () => {
    expect(checkAst(SELECT_OWN, 'bi_acme')).toEqual({});
    expect(checkAst(`${SELECT_OWN} Identifier CSVWithNames\n`, 'bi_acme')).toEqual({ format: 'CSVWithNames' });
    expect(() => checkAst(wrap('      TableIdentifier bi_acme.runs_current\n'), 'bi_acme')).not.toThrow();
    expect(() => checkAst(wrap('      TableIdentifier system.one\n'), 'bi_acme')).not.toThrow();
  });

  it.each([
    ['another database', wrap('      TableIdentifier runstream.runs\n'), /ACCESS_DENIED|not one of your views/],
    ['another organisation', wrap('      TableIdentifier bi_other.runs_current\n'), /not one of your views/],
    ['a system table', wrap('      TableIdentifier system.tables\n'), /not one of your views/],
    ['a quoted name with dots', wrap('      TableIdentifier we ird.t.x\n'), /not one of your views/],
    ['an alias disguising a table', wrap('      TableIdentifier runstream.runs (alias bi_acme.runs_current)\n'), /not one of your views/],
    ['a table function', wrap("      Function file (children 1)\n       ExpressionList (children 1)\n        Literal '/etc/passwd'\n"), /table function file/],
    ['a refused scalar function', SELECT_OWN.replace('Function count', 'Function dictGetString'), /function dictGetString/],
    ['SETTINGS in a subquery', SELECT_OWN.replace('    Function count (children 1)', '    Set\n    Function count (children 1)'), /readonly mode/],
    ['INTO OUTFILE', `${SELECT_OWN} Literal '/tmp/x'\n`, /INTO OUTFILE/],
    ['not a SELECT', 'InsertQuery (children 1)\n Identifier runs\n', /only SELECT/],
    ['SHOW', 'ShowTables\n', /only SELECT/],
    ['EXPLAIN', `Explain EXPLAIN (children 1)\n${SELECT_OWN.replace(/^/gm, ' ')}`, /only SELECT/],
  ])('refuses %s', (_what, dump, message) => {
    expect(() => checkAst(dump, 'bi_acme')).toThrow(message);
  });

  it('reads the name on the right of IN (and its kin) as the table it is, and leaves a column on its left alone', () => {
    const membership = (fn: string, left: string, right: string) =>
      SELECT_OWN.replace(
        '    Function count (children 1)\n     ExpressionList\n',
        `    Function ${fn} (children 1)\n     ExpressionList (children 2)\n      ${left}\n      ${right}\n`,
      );
    for (const fn of ['in', 'notIn', 'globalIn', 'globalNotIn', 'nullIn', 'globalNotNullIn']) {
      expect(() => checkAst(membership(fn, 'Identifier dummy', 'Identifier runstream.runs'), 'bi_acme')).toThrow(
        /table runstream.runs is not one of your views/,
      );
    }
    expect(() => checkAst(membership('in', 'Identifier x', 'Identifier runs_current'), 'bi_acme')).not.toThrow();
    expect(() => checkAst(membership('in', 'Identifier x', 'Identifier bi_acme.runs_current'), 'bi_acme')).not.toThrow();
    expect(() => checkAst(membership('in', 'Identifier r.project_id', 'Literal Tuple_(UInt64_1, UInt64_2)'), 'bi_acme')).not.toThrow();
    expect(() => checkAst(membership('equals', 'Identifier x', 'Identifier runstream.runs'), 'bi_acme')).not.toThrow();
  });

  it('refuses functions by prefix, whatever their case', () => {
    for (const name of ['file', 'FILE', 'dictGet', 'joinGet', 'getSetting', 'sleepEachRow', 'hasColumnInTable', 'url', 's3', 'remoteSecure', 'executable'])
      expect(isRefusedFunction(name)).toBe(true);
    for (const name of ['count', 'quantileExactInclusive', 'toDate', 'arrayJoin', 'if', 'in', 'equals']) expect(isRefusedFunction(name)).toBe(false);
  });
});

describe('checkQueryTree', () => {
  const tree = (tables: string) => `QUERY id: 0\n  JOIN TREE\n${tables}`;

  it('passes tables of the own database and system.one', () => {
    expect(() =>
      checkQueryTree(
        tree('    TABLE id: 3, alias: __table1, table_name: bi_acme.runs_current, final: 1\n    TABLE id: 4, table_name: system.one\n'),
        'bi_acme',
      ),
    ).not.toThrow();
    expect(() =>
      checkQueryTree(
        tree('    CROSS JOIN id: 11\n      TABLE EXPRESSION\n        TABLE id: 3, alias: __table1, table_name: bi_acme.runs_current\n'),
        'bi_acme',
      ),
    ).not.toThrow();
  });

  it('refuses any other table, wherever it sits, and table functions', () => {
    expect(() =>
      checkQueryTree(
        tree('    TABLE id: 3, table_name: bi_acme.runs_current\n          TABLE id: 8, alias: __table2, table_name: runstream.runs\n'),
        'bi_acme',
      ),
    ).toThrow(/runstream.runs/);
    expect(() => checkQueryTree(tree('    TABLE id: 3, table_name: bi_acme_x.runs_current\n'), 'bi_acme')).toThrow(/not one of your views/);
    expect(() => checkQueryTree(tree('    TABLE_FUNCTION id: 3, alias: __table1, table_function_name: view\n'), 'bi_acme')).toThrow(/table functions/);
    expect(() => checkQueryTree(tree('    TABLE id: 3, weird\n'), 'bi_acme')).toThrow(/could not be checked/);
  });

  it('is not fooled by a constant that looks like a table line: the real line still counts', () => {
    const dump = tree("    CONSTANT id: 2, constant_value: 'TABLE id: 9, table_name: bi_acme.runs_current'\n    TABLE id: 3, table_name: runstream.runs\n");
    expect(() => checkQueryTree(dump, 'bi_acme')).toThrow(/runstream.runs/);
  });
});

describe('withoutFormat', () => {
  it('drops the FORMAT line formatQuery puts last, and refuses when it is not there', () => {
    expect(withoutFormat('SELECT 1\nFORMAT JSON', 'JSON')).toBe('SELECT 1');
    expect(withoutFormat('SELECT 1', undefined)).toBe('SELECT 1');
    expect(() => withoutFormat('SELECT 1', 'JSON')).toThrow(/FORMAT/);
  });
});
