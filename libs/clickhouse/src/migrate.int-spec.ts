import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolatedEnv } from '@runstream/testing';
import { migrate, MIGRATIONS_DIR, readMigrations, withDatabase } from './migrate';
import { ClickHouseStore, openClickHouse } from './store';

describe('migrations on a real ClickHouse engine', () => {
  let store: ClickHouseStore;

  beforeAll(() => {
    const env = isolatedEnv('migrate');
    store = openClickHouse({ url: env.CLICKHOUSE_URL, path: env.CLICKHOUSE_PATH ?? '', database: env.CLICKHOUSE_DATABASE ?? '' });
  });

  afterAll(async () => {
    await store.close();
  });

  it('applies every migration once, then none', async () => {
    const all = readMigrations().map((m) => m.version);
    expect(await migrate(store)).toEqual(all);
    expect(await migrate(store)).toEqual([]);
    const tables = await store.query(z.object({ name: z.string() }), 'SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name', {
      db: store.database,
    });
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['run_events', 'runs', 'schema_migrations']));
  });

  it('sends no DDL at all, ON CLUSTER or not, when nothing is pending (every app migrates at start)', async () => {
    await migrate(store);
    const kinds: string[] = [];
    const watched = store.observedBy({ statement: (kind) => void kinds.push(kind) });
    // A cluster this engine does not have: any ON CLUSTER statement would fail.
    expect(await migrate(watched, readMigrations(), { cluster: 'no_such_cluster' })).toEqual([]);
    expect(kinds.filter((kind) => kind !== 'query')).toEqual([]);
  });

  it('runs every statement again without error (a crash between a statement and its record)', async () => {
    await migrate(store);
    for (const migration of readMigrations()) await store.command(withDatabase(migration.sql, store.database));
  });

  it('refuses to run when a landed migration was edited', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    writeFileSync(join(dir, '0001_create_run_events.sql'), `-- edited\n${readMigrations()[0].sql}`);
    await expect(migrate(store, readMigrations(dir))).rejects.toThrow('migration 1_create_run_events was edited after it was applied');
  });
});
