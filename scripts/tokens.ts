/**
 * API tokens, from the command line (tokens are stored hashed; the token is printed once):
 *   npm run tokens -- create --org acme --name ci                 user token (write + read APIs)
 *   npm run tokens -- create --org acme --name gw --gateway gw-1  gateway token (/api/agent)
 *   npm run tokens -- revoke tok_0123456789abcdef
 *   npm run tokens -- list [--org acme]
 * Uses CLICKHOUSE_URL, or the chDB directory at CLICKHOUSE_PATH, which only one process can
 * open: with embedded chDB, stop `npm start` first.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { TokenService } from '@runstream/auth';
import { migrate, openClickHouse, readMigrations } from '@runstream/clickhouse';
import { ClickHouseEnv, clickHouseConfig, loadEnv } from '@runstream/config';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { org: { type: 'string' }, name: { type: 'string' }, gateway: { type: 'string' } },
  });
  const [command, id] = positionals;
  const clickhouse = clickHouseConfig(loadEnv({ clickhouse: ClickHouseEnv }).clickhouse);
  const store = openClickHouse(clickhouse);
  try {
    await migrate(store, readMigrations(), { cluster: clickhouse.cluster });
    const tokens = new TokenService(store);
    if (command === 'create') {
      if (!values.org || !values.name) throw new Error('create needs --org and --name');
      const created = await tokens.create({ orgId: values.org, name: values.name, kind: values.gateway ? 'gateway' : 'user', gateway: values.gateway });
      console.log(JSON.stringify(created, null, 2));
      console.error('Store the token now: only its hash is kept.');
    } else if (command === 'revoke') {
      if (!id) throw new Error('revoke needs a token id');
      if (!(await tokens.revoke(id))) throw new Error(`no active token ${id}`);
      console.log(`revoked ${id}`);
    } else if (command === 'list') {
      for (const row of await tokens.list(values.org)) {
        console.log([row.id, row.org_id, row.kind, row.gateway || '-', row.name, row.revoked_at ? `revoked ${row.revoked_at}` : 'active'].join('\t'));
      }
    } else {
      throw new Error('usage: tokens create --org O --name N [--gateway G] | revoke ID | list [--org O]');
    }
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
