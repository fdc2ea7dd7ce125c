/** A caller's query, reduced to what an engine runs (see sql-request.ts). */
export interface SqlQuery {
  sql: string;
  params: Record<string, string>;
  /** The output format when the query has no FORMAT clause. */
  defaultFormat: string;
  queryId: string;
}

export interface SqlResult {
  body: Buffer;
  /** Canonical name of the format the body is in. */
  format: string;
  /** X-ClickHouse-Summary. */
  summary: Record<string, string>;
}

/** Runs a caller's read-only query confined to its organisation: on chDB or on a ClickHouse server. */
export abstract class SqlEngine {
  /** The database BI tools are told to set (CLICKHOUSE_DATABASE). */
  abstract readonly publicDatabase: string;
  /** The views a BI connection reads here (docs/bi.md): what an unknown table's error points to. */
  abstract readonly views: readonly string[];
  /** Every database name a client may send for the organisation; the first is the one its queries run in. */
  abstract databaseNames(orgId: string): string[];
  abstract run(orgId: string, query: SqlQuery): Promise<SqlResult>;
}
