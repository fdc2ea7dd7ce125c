import { accessDenied, readonlyRefused } from './sql-error';

/**
 * Checks on the engine's own parse of a caller's query (never on its text): `EXPLAIN AST` first,
 * which parses without running anything, then `EXPLAIN QUERY TREE`, which resolves every name
 * the way execution will. The tree check must not run before the AST check passed: resolving a
 * query evaluates its scalar subqueries and constant functions, and their errors carry values.
 */

/**
 * Functions that reach outside the caller's views (files, dictionaries, Join tables, other
 * tables' metadata, server settings and identity) or only burn time. Matched on the lowercase
 * name, as a prefix: `dictget` covers dictGetString, dictGetOrDefault, ….
 */
const REFUSED_FUNCTION_PREFIXES = [
  'file',
  'dict',
  'joinget',
  'getsetting',
  'getmacro',
  'getserver',
  'getmergetree',
  'hascolumnintable',
  'catboost',
  'modelevaluate',
  'naivebayes',
  'sleep',
  'filesystem',
  'getclient',
  'globalvariable',
  'currentprofiles',
  'currentroles',
  'enabledroles',
  'defaultroles',
  'showcertificate',
  'url',
  's3',
  'remote',
  'cluster',
  'executable',
  'merge',
  'view',
  'input',
  'mysql',
  'postgresql',
  'jdbc',
  'odbc',
  'hdfs',
  'azure',
  'gcs',
  'iceberg',
  'deltalake',
  'hudi',
  'sqlite',
  'mongodb',
  'redis',
  'loop',
  'fuzz',
  'ytsaurus',
  'arrowflight',
  'prometheus',
  '__',
];

/** Functions whose right-hand argument, written as a name, is a table: `x IN db.t`. */
const SET_MEMBERSHIP_FUNCTIONS = new Set(['in', 'notin', 'globalin', 'globalnotin', 'nullin', 'notnullin', 'globalnullin', 'globalnotnullin']);

/** Tables a query may name outside its own database: `SELECT 1` reads system.one. */
const ALLOWED_SYSTEM_TABLES = new Set(['system.one']);

const PLAIN = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface DumpLine {
  depth: number;
  text: string;
  parent?: DumpLine;
  children: DumpLine[];
}

/** An EXPLAIN dump as lines with their parents (indentation is the nesting). */
function dumpLines(dump: string, indent: number): DumpLine[] {
  const lines: DumpLine[] = [];
  const stack: DumpLine[] = [];
  for (const raw of dump.split('\n')) {
    if (raw.trim() === '') continue;
    const depth = (raw.length - raw.trimStart().length) / indent;
    while (stack.length > 0 && stack[stack.length - 1].depth >= depth) stack.pop();
    const line: DumpLine = { depth, text: raw.trim(), parent: stack[stack.length - 1], children: [] };
    line.parent?.children.push(line);
    lines.push(line);
    stack.push(line);
  }
  return lines;
}

export function isRefusedFunction(name: string): boolean {
  const lower = name.toLowerCase();
  return REFUSED_FUNCTION_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

export interface AstFacts {
  /** The FORMAT clause's format, when the query has one. */
  format?: string;
}

/**
 * The `EXPLAIN AST` dump of a caller's query: one SELECT (UNION, INTERSECT, subqueries and CTEs
 * inside it are fine), no SETTINGS anywhere, no INTO OUTFILE, no table function, no refused
 * function, and every table either unqualified (its database is the caller's) or qualified with
 * the caller's own database.
 */
export function checkAst(dump: string, ownDatabase: string): AstFacts {
  const lines = dumpLines(dump, 1);
  const root = lines[0];
  if (!root || !/^SelectWithUnionQuery\b/.test(root.text)) throw readonlyRefused('only SELECT queries are served here (read-only BI access)');
  const facts: AstFacts = {};
  for (const line of lines) {
    const [kind, ...rest] = line.text.split(' ');
    const name = rest.join(' ').replace(/ \(children \d+\)$/, '');
    if (line.depth === 1) {
      if (kind === 'Identifier') facts.format = name;
      else if (kind !== 'ExpressionList') throw readonlyRefused('INTO OUTFILE and SETTINGS are not allowed in read-only BI access');
    }
    if (kind === 'Set') throw readonlyRefused('Cannot modify settings in readonly mode: SETTINGS clauses are refused, the limits are fixed by the server');
    if (kind === 'Function') {
      if (line.parent?.text.startsWith('TableExpression')) throw accessDenied(`table function ${name} is not allowed; query the views of docs/bi.md`);
      if (isRefusedFunction(name)) throw accessDenied(`function ${name} is not allowed in BI access`);
    }
    const table = kind === 'TableIdentifier' ? name : kind === 'Function' ? membershipTable(line, name) : undefined;
    if (table !== undefined && !isOwnTable(withoutAlias(table), ownDatabase))
      throw accessDenied(`table ${table} is not one of your views; query the views of docs/bi.md without a database prefix`);
  }
  return facts;
}

/** The name on the right of `IN` (and its kin), which the engine reads as a table; undefined when the right is not a name. */
function membershipTable(line: DumpLine, name: string): string | undefined {
  if (!SET_MEMBERSHIP_FUNCTIONS.has(name.toLowerCase())) return undefined;
  const right = line.children[0]?.children[1]?.text;
  return right?.startsWith('Identifier ') ? right.slice('Identifier '.length) : undefined;
}

/** `runs_current (alias r)` → `runs_current`: the name comes first, so an alias cannot disguise it. */
function withoutAlias(name: string): string {
  const at = name.indexOf(' (alias ');
  return at < 0 ? name : name.slice(0, at);
}

function isOwnTable(name: string, ownDatabase: string): boolean {
  if (ALLOWED_SYSTEM_TABLES.has(name)) return true;
  const parts = name.split('.');
  if (parts.length === 1) return PLAIN.test(parts[0]);
  return parts.length === 2 && parts[0] === ownDatabase && PLAIN.test(parts[1]);
}

/**
 * The `EXPLAIN QUERY TREE` dump (names resolved): every table read is in the caller's database
 * or allowed, and nothing is read through a table function. A line can only add names (a string
 * constant that looks like a TABLE line), never hide a table the query reads.
 */
export function checkQueryTree(dump: string, ownDatabase: string): void {
  for (const line of dumpLines(dump, 2)) {
    if (line.text.startsWith('TABLE_FUNCTION')) throw accessDenied('table functions are not allowed; query the views of docs/bi.md');
    const table = /^TABLE id: \d+,(?:.*?,)? table_name: ([^,\s]+)/.exec(line.text);
    if (line.text.startsWith('TABLE id:') && !table) throw accessDenied('a table of this query could not be checked');
    if (table && !ALLOWED_SYSTEM_TABLES.has(table[1]) && !table[1].startsWith(`${ownDatabase}.`)) {
      throw accessDenied(`table ${table[1]} is not one of your views`);
    }
  }
}

/** The canonical text without its FORMAT line (formatQuery puts FORMAT last, on its own line). */
export function withoutFormat(canonical: string, format: string | undefined): string {
  if (format === undefined) return canonical;
  const suffix = `\nFORMAT ${format}`;
  if (!canonical.endsWith(suffix)) throw accessDenied('the FORMAT clause could not be checked');
  return canonical.slice(0, -suffix.length);
}
