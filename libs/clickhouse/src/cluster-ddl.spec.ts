import { ClickHouseEnv, clickHouseConfig, loadEnv } from '@runstream/config';
import { REPLICA_PATH, renderForCluster } from './cluster-ddl';
import { forCluster, readMigrations, withDatabase } from './migrate';

const migrations = readMigrations();
const rendered = migrations.map((migration) => ({ migration, sql: renderForCluster(withDatabase(migration.sql, 'runstream'), 'rs') }));

/** `ENGINE = <name>(<params>)` of a statement, parameters split at top-level commas. */
function engineOf(sql: string): { name: string; params: string[] } | undefined {
  const match = /\bENGINE\s*=\s*(\w+)(?:\s*\(((?:[^()]|\([^()]*\))*)\))?/i.exec(sql);
  if (!match) return undefined;
  const params = (match[2] ?? '')
    .split(/,(?![^()]*\))/)
    .map((param) => param.trim())
    .filter((param) => param.length > 0);
  return { name: match[1], params };
}

describe('renderForCluster on every shipped migration', () => {
  it('puts ON CLUSTER rs right after the name of every CREATE TABLE / VIEW and ALTER TABLE', () => {
    expect(rendered.length).toBeGreaterThanOrEqual(23);
    for (const { migration, sql } of rendered) {
      expect({ file: migration.name, sql }).toEqual({
        file: migration.name,
        sql: expect.stringMatching(/^(CREATE (TABLE|VIEW) IF NOT EXISTS|ALTER TABLE) \{db:Identifier\}\.\w+ ON CLUSTER rs\s/),
      });
    }
  });

  it('replicates every MergeTree-family table, keeping the engine and its own parameters in order', () => {
    let tables = 0;
    for (const { migration, sql } of rendered) {
      const original = engineOf(migration.sql);
      if (!original) continue;
      tables += 1;
      expect(original.name).toMatch(/MergeTree$/);
      expect(sql).not.toMatch(/ENGINE\s*=\s*(Replacing)?MergeTree\b/);
      expect(engineOf(sql)).toEqual({
        name: `Replicated${original.name}`,
        params: ["'/clickhouse/tables/{shard}/{database}/{table}'", "'{replica}'", ...original.params],
      });
    }
    expect(tables).toBeGreaterThanOrEqual(10);
  });

  it('leaves everything after the engine (PARTITION BY, ORDER BY, TTL, SETTINGS) as written', () => {
    for (const { migration, sql } of rendered.filter(({ migration }) => engineOf(migration.sql))) {
      const tail = (text: string) => text.replace(/^[\s\S]*?\bENGINE\s*=\s*\w+(\s*\((?:[^()]|\([^()]*\))*\))?/, '');
      expect(tail(sql)).toBe(tail(withDatabase(migration.sql, 'runstream')));
    }
  });
});

describe('renderForCluster', () => {
  it('renders a CREATE TABLE exactly', () => {
    const sql =
      'CREATE TABLE IF NOT EXISTS {db:Identifier}.api_tokens\n(\n    id String,\n    version UInt64\n)\nENGINE = ReplacingMergeTree(version)\nORDER BY id';
    expect(renderForCluster(sql, 'rs')).toBe(
      'CREATE TABLE IF NOT EXISTS {db:Identifier}.api_tokens ON CLUSTER rs\n(\n    id String,\n    version UInt64\n)\n' +
        "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', version)\nORDER BY id",
    );
  });

  it('renders an ALTER TABLE exactly', () => {
    const sql = 'ALTER TABLE {db:Identifier}.runs\n    ADD COLUMN IF NOT EXISTS claimed_by String AFTER target_gateway';
    expect(renderForCluster(sql, 'rs')).toBe(
      'ALTER TABLE {db:Identifier}.runs ON CLUSTER rs\n    ADD COLUMN IF NOT EXISTS claimed_by String AFTER target_gateway',
    );
  });

  it('renders the database, a plain MergeTree, a materialized view and engines with nested parameters', () => {
    expect(renderForCluster('CREATE DATABASE IF NOT EXISTS {db:Identifier}', 'rs')).toBe('CREATE DATABASE IF NOT EXISTS {db:Identifier} ON CLUSTER rs');
    expect(renderForCluster('CREATE TABLE t (x UInt8) ENGINE = MergeTree ORDER BY x', 'rs')).toBe(
      `CREATE TABLE t ON CLUSTER rs (x UInt8) ENGINE = ReplicatedMergeTree(${REPLICA_PATH}) ORDER BY x`,
    );
    expect(renderForCluster('CREATE MATERIALIZED VIEW IF NOT EXISTS db.mv TO db.t AS SELECT 1', 'rs')).toBe(
      'CREATE MATERIALIZED VIEW IF NOT EXISTS db.mv ON CLUSTER rs TO db.t AS SELECT 1',
    );
    expect(renderForCluster('CREATE TABLE t (a UInt8, b UInt8) ENGINE = SummingMergeTree((a, b)) ORDER BY a', 'rs')).toMatch(
      `ENGINE = ReplicatedSummingMergeTree(${REPLICA_PATH}, (a, b)) ORDER BY a`,
    );
    expect(renderForCluster('CREATE TABLE t (s Int8, v UInt8) ENGINE = VersionedCollapsingMergeTree(s, v) ORDER BY v', 'rs')).toMatch(
      `ENGINE = ReplicatedVersionedCollapsingMergeTree(${REPLICA_PATH}, s, v) ORDER BY v`,
    );
  });

  it('leaves engines that hold no replicated data and statements already ON CLUSTER alone', () => {
    expect(renderForCluster('CREATE TABLE t (x UInt8) ENGINE = Memory', 'rs')).toBe('CREATE TABLE t ON CLUSTER rs (x UInt8) ENGINE = Memory');
    const done = `CREATE TABLE t ON CLUSTER rs (x UInt8) ENGINE = ReplicatedMergeTree(${REPLICA_PATH}) ORDER BY x`;
    expect(renderForCluster(done, 'rs')).toBe(done);
  });

  it('refuses a cluster name that is not a plain identifier', () => {
    expect(() => renderForCluster('ALTER TABLE t ADD COLUMN x UInt8', 'rs; DROP TABLE t')).toThrow('not a plain identifier');
  });
});

describe('forCluster (what migrate runs)', () => {
  it('returns every migration byte-identical when no cluster is set', () => {
    for (const migration of migrations) expect(forCluster(migration.sql, 'runstream', undefined)).toBe(migration.sql);
  });

  it('writes the database name into a statement for a cluster, leaving no query parameter for the other servers', () => {
    const view = migrations.find((migration) => migration.name === 'create_runs_current_view');
    expect(view && forCluster(view.sql, 'runstream', 'rs')).toBe(
      'CREATE VIEW IF NOT EXISTS runstream.runs_current ON CLUSTER rs AS\nSELECT * FROM runstream.runs FINAL',
    );
    for (const migration of migrations) expect(forCluster(migration.sql, 'runstream', 'rs')).not.toMatch(/\{db:Identifier\}|\$\{database\}/);
    expect(() => forCluster('CREATE DATABASE IF NOT EXISTS {db:Identifier}', 'a-b', 'rs')).toThrow('not a plain identifier');
  });
});

describe('CLICKHOUSE_CLUSTER', () => {
  it('reaches the config when a server is configured, and is absent otherwise', () => {
    const env = { CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_CLUSTER: 'rs' };
    expect(clickHouseConfig(loadEnv({ clickhouse: ClickHouseEnv }, env).clickhouse).cluster).toBe('rs');
    expect(clickHouseConfig(loadEnv({ clickhouse: ClickHouseEnv }, {}).clickhouse).cluster).toBeUndefined();
  });

  it('is refused without CLICKHOUSE_URL (chDB is one node) and when not a plain identifier', () => {
    expect(() => loadEnv({ clickhouse: ClickHouseEnv }, { CLICKHOUSE_CLUSTER: 'rs' })).toThrow('CLICKHOUSE_CLUSTER needs CLICKHOUSE_URL');
    expect(() => loadEnv({ clickhouse: ClickHouseEnv }, { CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_CLUSTER: 'a-b' })).toThrow(
      'CLICKHOUSE_CLUSTER must be a plain identifier',
    );
  });
});
