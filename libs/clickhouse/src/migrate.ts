import { ClickHouseSettings } from '@clickhouse/client';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { renderForCluster } from './cluster-ddl';
import { column } from './columns';
import { ClickHouseStore } from './store';

export const MIGRATIONS_DIR = join(__dirname, 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Numbered files `NNNN_name.sql`, one statement each; a repeated number is an error. */
export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const match = FILE_PATTERN.exec(file);
    if (!match) {
      if (file.endsWith('.sql')) throw new Error(`migration ${file} does not match NNNN_name.sql`);
      continue;
    }
    const raw = readFileSync(join(dir, file), 'utf8');
    const sql = raw
      .split('\n')
      .filter((line) => !line.trim().startsWith('--'))
      .join('\n')
      .trim()
      .replace(/;\s*$/, '');
    if (sql.includes(';')) throw new Error(`migration ${file} holds more than one statement`);
    migrations.push({ version: Number(match[1]), name: match[2], sql, checksum: createHash('sha256').update(raw).digest('hex') });
  }
  for (let i = 1; i < migrations.length; i += 1) {
    if (migrations[i].version === migrations[i - 1].version) {
      throw new Error(`two migrations share number ${migrations[i].version}: ${migrations[i - 1].name}, ${migrations[i].name}`);
    }
  }
  return migrations;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A view's body cannot take {db:Identifier}: ClickHouse keeps query parameters in a view as
 * parameters of the view. View migrations write `${database}` there instead, replaced by the
 * configured database name, which must be a plain identifier.
 */
export function withDatabase(sql: string, database: string): string {
  if (!IDENTIFIER.test(database)) throw new Error(`database name ${JSON.stringify(database)} is not a plain identifier`);
  return sql.replaceAll('${database}', database);
}

/**
 * A statement as it runs: unchanged without a cluster. For a cluster, ON CLUSTER hands the
 * statement's text to every server, so the database name (a plain identifier, checked by
 * withDatabase) is written into it rather than left to each server's {db:Identifier}
 * substitution, and the single-node DDL is rendered for the cluster.
 */
export function forCluster(sql: string, database: string, cluster: string | undefined): string {
  if (cluster === undefined) return sql;
  return renderForCluster(withDatabase(sql, database).replaceAll('{db:Identifier}', database), cluster);
}

/**
 * ON CLUSTER waits for every host, 180 s by default: past the client's own request timeout, so a
 * host down would end in a bare "Timeout error". The server answers first, naming the hosts that
 * did not finish (the statement still runs on them when they are back).
 */
const CLUSTER_DDL_SETTINGS: ClickHouseSettings = { distributed_ddl_task_timeout: '50' };

/** Whether schema_migrations is there; false when system.tables cannot be read (a user without that grant): the DDL path then runs as before. */
async function bookkeepingExists(store: ClickHouseStore): Promise<boolean> {
  try {
    const [row] = await store.query(
      z.object({ tables: column.count }),
      `SELECT count() AS tables FROM system.tables WHERE database = {database:String} AND name = 'schema_migrations'`,
      { database: store.database },
    );
    return (row?.tables ?? 0) > 0;
  } catch {
    return false;
  }
}

export interface MigrateOptions {
  /**
   * CLICKHOUSE_CLUSTER: every statement (the bookkeeping table's too) runs ON CLUSTER with
   * Replicated engines (cluster-ddl.ts). Unset: the files run exactly as written.
   */
  cluster?: string;
}

/**
 * Applies pending migrations in order and records them. A landed migration whose file
 * changed afterwards is refused: migrations are never edited, a new number is added. The
 * checksum is the file's as written, so rendering for a cluster does not change it.
 */
export async function migrate(store: ClickHouseStore, migrations: Migration[] = readMigrations(), { cluster }: MigrateOptions = {}): Promise<number[]> {
  const ddl = (sql: string) => store.command(forCluster(sql, store.database, cluster), {}, cluster ? CLUSTER_DDL_SETTINGS : {});
  // Every app migrates at start: when the bookkeeping table is there, no ON CLUSTER statement is
  // sent unless a migration is pending, so a replica down does not stop apps from starting.
  if (!(await bookkeepingExists(store))) {
    await ddl('CREATE DATABASE IF NOT EXISTS {db:Identifier}');
    await ddl(
      `CREATE TABLE IF NOT EXISTS {db:Identifier}.schema_migrations
     (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
     ENGINE = ReplacingMergeTree ORDER BY version`,
    );
  }
  const applied = new Map(
    (await store.query(z.object({ version: column.int, checksum: column.text }), 'SELECT version, checksum FROM {db:Identifier}.schema_migrations FINAL')).map(
      (row) => [row.version, row.checksum],
    ),
  );
  const done: number[] = [];
  for (const migration of migrations) {
    const checksum = applied.get(migration.version);
    if (checksum !== undefined) {
      if (checksum !== migration.checksum) {
        throw new Error(`migration ${migration.version}_${migration.name} was edited after it was applied; add a new migration instead`);
      }
      continue;
    }
    await ddl(withDatabase(migration.sql, store.database));
    await store.insert('schema_migrations', [{ version: migration.version, name: migration.name, checksum: migration.checksum }]);
    done.push(migration.version);
  }
  return done;
}
