import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { createHash } from 'node:crypto';
import { biDatabaseFor, canonicalQuery, chdbOrgViewStatements, ClickHouseStore, explainAst, explainQueryTree, runInDatabase } from '@runstream/clickhouse';
import { SqlEngine, SqlQuery, SqlResult } from './sql-engine';
import { checkAst, checkQueryTree, withoutFormat } from './sql-guard';
import { outputFormat } from './sql-formats';

const FORMAT_LINE = /\nFORMAT ([A-Za-z]+)$/;
/** What the approved queries' canonical texts may hold in all. */
const APPROVED_MAX_BYTES = 16 * 1024 * 1024;

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
   * this saves three of the four engine calls. Bounded by bytes as well as entries: a query's
   * text may be up to 1 MiB, and approval keys are hashes of it.
   */
  private readonly approved = new LRUCache<string, Approved>({
    max: 2_000,
    maxSize: APPROVED_MAX_BYTES,
    sizeCalculation: (approved) => approved.body.length + (approved.format?.length ?? 0) + 64,
  });

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
    const result = await runInDatabase(this.store, database, body, query.params, chosen);
    return { body: result.body, format: chosen, summary: result.summary };
  }

  private async check(database: string, query: SqlQuery): Promise<Approved> {
    const canonical = await canonicalQuery(this.store, query.sql);
    const format = FORMAT_LINE.exec(canonical)?.[1];
    const body = withoutFormat(canonical, format);
    checkAst(await explainAst(this.store, body, query.params), database);
    checkQueryTree(await explainQueryTree(this.store, database, body, query.params), database);
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
}

/**
 * What the checks' verdict depends on: a `{name:Identifier}` parameter can name a table, so its
 * value counts; any other parameter is a typed literal value, which cannot change which tables,
 * functions or settings the query reaches.
 */
export function approvalKey(orgId: string, sql: string, params: Record<string, string>): string {
  const identifiers = [...sql.matchAll(/\{\s*(\w+)\s*:\s*Identifier\s*\}/g)].map((match) => match[1]).sort();
  const identity = JSON.stringify([orgId, sql, identifiers.map((name) => [name, params[name] ?? null])]);
  // A digest, not the text: a key holds 43 characters whatever the query's length.
  return createHash('sha256').update(identity).digest('base64url');
}
