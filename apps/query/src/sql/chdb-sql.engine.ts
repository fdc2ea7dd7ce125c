import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { createHash } from 'node:crypto';
import {
  BI_VIEWS,
  biDatabaseFor,
  canonicalQuery,
  chdbOrgViewStatements,
  ClickHouseStore,
  explainAst,
  explainQueryTree,
  runInDatabase,
} from '@runstream/clickhouse';
import { SqlEngine, SqlQuery, SqlResult } from './sql-engine';
import { checkAst, checkQueryTree, withoutFormat } from './sql-guard';
import { outputFormat } from './sql-formats';

const FORMAT_LINE = /\nFORMAT ([A-Za-z]+)$/;
/** What the approved queries' canonical texts may hold in all. */
const APPROVED_MAX_BYTES = 16 * 1024 * 1024;

/**
 * A query the checks passed: its canonical text without FORMAT, the FORMAT it asked for, and the
 * values its table-naming parameters had (name and value; null when not sent), undefined when
 * those could not be told apart.
 */
interface Approved {
  body: string;
  format?: string;
  identifiers?: [string, string | null][];
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
   * verdict depends only on the organisation (whose views are fixed), the text and the values of
   * the parameters that name tables, so a passed query is not parsed three more times while those
   * values stay as approved: this saves three of the four engine calls. Bounded by bytes as well as entries: a query's
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

  readonly views = Object.keys(BI_VIEWS);

  databaseNames(orgId: string): string[] {
    return [biDatabaseFor(orgId), this.store.database, 'default'];
  }

  async run(orgId: string, query: SqlQuery): Promise<SqlResult> {
    await this.prepare(orgId);
    const database = biDatabaseFor(orgId);
    const key = approvalKey(orgId, query.sql);
    const cached = this.approved.get(key);
    const approved = cached?.identifiers && sameIdentifiers(cached.identifiers, query.params) ? cached : await this.check(database, query);
    if (approved.identifiers) this.approved.set(key, approved);
    const { body, format } = approved;
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
    const identifiers = identifierParameters(body)?.map((name): [string, string | null] => [name, query.params[name] ?? null]);
    return { body, format, identifiers };
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

/** The cache key of a query's approval: a digest, so a key holds 43 characters whatever the query's length. */
export function approvalKey(orgId: string, sql: string): string {
  return createHash('sha256')
    .update(JSON.stringify([orgId, sql]))
    .digest('base64url');
}

/**
 * The parameters that name a table or column: `{name:Identifier}` in the engine's canonical text
 * (formatQuery drops the comments and spaces its parser allows inside the braces, which a match on
 * the caller's text would miss). Undefined when the match misses any `:Identifier}` of the text:
 * such an approval is not kept.
 */
export function identifierParameters(canonical: string): string[] | undefined {
  const names = [...canonical.matchAll(/\{([^{}:]+):Identifier\}/g)].map((match) => match[1]);
  const mentions = canonical.split(':Identifier}').length - 1;
  return names.length === mentions ? [...new Set(names)] : undefined;
}

function sameIdentifiers(approved: [string, string | null][], params: Record<string, string>): boolean {
  return approved.every(([name, value]) => (params[name] ?? null) === value);
}
