import { z } from 'zod';
import { column } from './columns';
import { RawResult } from './connections';
import { ClickHouseStore } from './store';

/**
 * The statements the SQL endpoint on embedded chDB runs around a caller's query (docs/bi.md):
 * the engine's own parse of it, its explanations for the checks, and the query itself with the
 * organisation's database as the current one. The caller's SQL is data here: the endpoint's
 * checks decide whether it runs.
 */

/** The engine's canonical rendering of the one statement it parsed; several statements are a syntax error. */
export async function canonicalQuery(store: ClickHouseStore, sql: string): Promise<string> {
  const [row] = await store.query(z.object({ q: column.text }), 'SELECT formatQuery({q:String}) AS q', { q: sql });
  return row.q;
}

/** `EXPLAIN AST` of a canonical query, as text. */
export function explainAst(store: ClickHouseStore, body: string, params: Record<string, string>): Promise<string> {
  return explained(store, `EXPLAIN AST ${body}`, params);
}

/** `EXPLAIN QUERY TREE` of a canonical query, resolved in `database`, as text. */
export function explainQueryTree(store: ClickHouseStore, database: string, body: string, params: Record<string, string>): Promise<string> {
  return explained(store, `USE ${plainIdentifier(database)}; EXPLAIN QUERY TREE ${body}`, params);
}

/**
 * A checked query with `database` as the current one, answered in `format`. USE sets the
 * current database of the session opened for this statement alone (store.raw), so it reaches
 * no other statement.
 */
export function runInDatabase(store: ClickHouseStore, database: string, body: string, params: Record<string, string>, format: string): Promise<RawResult> {
  return store.raw(`USE ${plainIdentifier(database)}; ${body}\nFORMAT ${plainIdentifier(format)}`, params, format);
}

/** A database or format name goes into the statement as it is: only a plain identifier may. */
function plainIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`${JSON.stringify(name)} is not a plain identifier`);
  return name;
}

async function explained(store: ClickHouseStore, sql: string, params: Record<string, string>): Promise<string> {
  // A FORMAT clause would bind to the explained SELECT; the explanation's own format is the call's.
  return (await store.raw(sql, params, 'TabSeparatedRaw')).body.toString('utf8');
}
