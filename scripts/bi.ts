/**
 * BI users on a ClickHouse server (docs/bi.md), one read-only user per organisation:
 *   npm run bi -- grant --org acme [--app-user runstream] [--print]
 *   npm run bi -- revoke --org acme [--print]
 * Needs CLICKHOUSE_URL (as a user allowed to manage users, roles and row policies) and the same
 * QUERY_SQL_SERVER_KEY as the query app, which derives the user's password from it. --print
 * writes the statements instead of running them. Embedded chDB needs nothing: the query app
 * creates each organisation's views itself.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { biPasswordFor, openClickHouse, serverGrantStatements, serverRevokeStatements } from '@runstream/clickhouse';
import { ClickHouseEnv, clickHouseConfig, loadEnv } from '@runstream/config';
import { loadQueryConfig } from '../apps/query/src/config/query.config';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { org: { type: 'string' }, 'app-user': { type: 'string', multiple: true }, print: { type: 'boolean' } },
  });
  const [command] = positionals;
  if ((command !== 'grant' && command !== 'revoke') || !values.org)
    throw new Error('usage: bi grant --org O [--app-user U ...] [--print] | revoke --org O [--print]');
  const clickhouse = clickHouseConfig(loadEnv({ clickhouse: ClickHouseEnv }).clickhouse);
  if (!clickhouse.url) throw new Error('BI users live on a ClickHouse server: set CLICKHOUSE_URL (on embedded chDB the query app needs no grant)');
  const query = loadQueryConfig();
  let statements: string[];
  if (command === 'grant') {
    if (!query.sql.serverKey) throw new Error('set QUERY_SQL_SERVER_KEY to the query app’s value: it derives the BI user’s password');
    const settings = query.clickhouse.querySettings;
    statements = serverGrantStatements({
      database: clickhouse.database,
      orgId: values.org,
      password: biPasswordFor(values.org, query.sql.serverKey),
      // Once a table has row policies, a user without one sees no rows: the apps' user gets `USING 1`.
      appUsers: values['app-user'] ?? [decodeURIComponent(new URL(clickhouse.url).username) || 'default'],
      maxExecutionSeconds: Number(settings.max_execution_time),
      maxMemoryBytes: Number(settings.max_memory_usage),
      maxResultRows: Number(settings.max_result_rows),
      maxResultBytes: Number(settings.max_result_bytes),
    });
  } else {
    statements = serverRevokeStatements(clickhouse.database, values.org);
  }
  if (values.print) {
    for (const statement of statements) console.log(`${statement};`);
    return;
  }
  const store = openClickHouse(clickhouse);
  try {
    for (const statement of statements) await store.command(statement);
    console.log(`${command === 'grant' ? 'granted' : 'revoked'} BI access for organisation ${values.org} (${statements.length} statements)`);
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
