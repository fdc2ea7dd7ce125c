import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { biDatabaseFor, chdbOrgViewStatements, ClickHouseStore } from '@runstream/clickhouse';
import { SqlEngine, SqlQuery, SqlResult } from './sql-engine';
import { checkAst, checkQueryTree, withoutFormat } from './sql-guard';
import { outputFormat } from './sql-formats';

const FORMAT_LINE = /\nFORMAT ([A-Za-z]+)$/;

/** A query the checks passed: its canonical text without FORMAT, and the FORMAT it asked for. */
interface Approved {
  body: string;
  format?: string;
}

/**
 * The SQL endpoint on embedded chDB. A caller's query runs only after the engine parsed it
 * (formatQuery: exactly one statement, re-emitted canonically), its AST passed checkAst and
 * its resolved tree checkQueryTree, and then with its organisation's database as the current
 * one, under the read API's limits. That database holds nothing but views filtered to the
 * organisation (libs/clickhouse bi-access.ts).
 */
@Injectable()
export class ChdbSqlEngine extends SqlEngine {
  private readonly prepared = new Map<string, Promise<void>>();
  /**
   * Dashboards send the same queries again and again, with new parameter values. The checks'
   * verdict depends only on the text, the organisation (whose views are fixed) and the parameters
   * that stand for identifiers (approvalKey), so a passed query is not parsed three more times:
   * this saves three of the four engine calls.
   */
  private readonly approved = new LRUCache<string, Approved>({ max: 2_000 });

  constructor(private readonly store: ClickHouseStore) {
    super();
  }

  get publicDatabase(): string {
    return this.store.database;
  }

  databaseNames(orgId: string): string[] {
    return [biDatabaseFor(orgId), this.store.database, 'default'];
  }

  async run(orgId: string, query: SqlQuery): Promise<SqlResult> {
    await this.prepare(orgId);
    const database = biDatabaseFor(orgId);
    const key = approvalKey(orgId, query.sql, query.params);
    const { body, format } = this.approved.get(key) ?? (await this.check(database, query));
    this.approved.set(key, { body, format });
    const chosen = outputFormat(format ?? query.defaultFormat);
    // USE sets the current database of the session opened for this statement alone (store.raw), so it reaches no other statement.
    const result = await this.store.raw(`USE ${database}; ${body}\nFORMAT ${chosen}`, query.params, chosen);
    return { body: result.body, format: chosen, summary: result.summary };
  }

  private async check(database: string, query: SqlQuery): Promise<Approved> {
    const canonical = await this.canonical(query.sql);
    const format = FORMAT_LINE.exec(canonical)?.[1];
    const body = withoutFormat(canonical, format);
    checkAst(await this.text(`EXPLAIN AST ${body}`, query.params), database);
    checkQueryTree(await this.text(`USE ${database}; EXPLAIN QUERY TREE ${body}`, query.params), database);
    return { body, format };
  }

  /** The organisation's views, (re)created once per process so their definitions follow the code. */
  private prepare(orgId: string): Promise<void> {
    let done = this.prepared.get(orgId);
    if (!done) {
      done = (async () => {
        for (const statement of chdbOrgViewStatements(this.store.database, orgId)) await this.store.command(statement);
      })();
      done.catch(() => this.prepared.delete(orgId));
      this.prepared.set(orgId, done);
    }
    return done;
  }

  /** The engine's own rendering of the one statement it parsed; several statements are a syntax error. */
  private async canonical(sql: string): Promise<string> {
    const [row] = await this.store.query<{ q: string }>('SELECT formatQuery({q:String}) AS q', { q: sql });
    return row.q;
  }

  private async text(sql: string, params: Record<string, string>): Promise<string> {
    // A FORMAT clause would bind to the explained SELECT; the explanation's own format is the call's.
    return (await this.store.raw(sql, params, 'TabSeparatedRaw')).body.toString('utf8');
  }
}

/**
 * What the checks' verdict depends on: a `{name:Identifier}` parameter can name a table, so its
 * value counts; any other parameter is a typed literal value, which cannot change which tables,
 * functions or settings the query reaches.
 */
export function approvalKey(orgId: string, sql: string, params: Record<string, string>): string {
  const identifiers = [...sql.matchAll(/\{\s*(\w+)\s*:\s*Identifier\s*\}/g)].map((match) => match[1]).sort();
  return JSON.stringify([orgId, sql, identifiers.map((name) => [name, params[name] ?? null])]);
}
