/**
 * The PostgreSQL peer's server: Debian's package, started by the bench on its own port and
 * data directory, and loaded from the query data set's TSV export (bench/dataset.ts) with the
 * indexes a PostgreSQL user would build for the read API's requests.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { PEER_COLUMNS, PEER_FILES } from './dataset';

export const PORT = 25432;

const SCHEMA = `
CREATE TABLE runs (
  org_id text, project_id text, id text, job_id text, job_name text, cronjob_name text, namespace text, job_type text,
  status text, triggered_by text, target_gateway text, claimed_by text, claim_id text, start_time timestamptz,
  end_time timestamptz, duration_seconds float8, error_summary text, telemetry_summary text, created_at timestamptz,
  updated_at timestamptz, event_count int, last_event_id uuid, kafka_partition int, kafka_offset bigint);
CREATE TABLE model_executions (
  org_id text, project_id text, model_name text, id text, job_run_id text, cronjob_name text, status text,
  started_at timestamptz, completed_at timestamptz, duration_seconds float8, rows_processed bigint, bytes_processed bigint,
  interval_start timestamptz, interval_end timestamptz, created_at timestamptz, updated_at timestamptz, version bigint);
CREATE TABLE run_log_entries (org_id text, run_id text, seq int, level text, message text, logged_at timestamptz);
CREATE TABLE run_telemetry_samples (org_id text, run_id text, seq int, sample jsonb, sampled_at timestamptz);`;

const TABLES = ['runs', 'model_executions', 'run_log_entries', 'run_telemetry_samples'];

/** What a PostgreSQL user would index for these reads: each endpoint's filter and page order. */
export const INDEXES = [
  'CREATE UNIQUE INDEX runs_pkey ON runs (id)',
  'CREATE INDEX runs_project_created ON runs (org_id, project_id, created_at DESC, id DESC)',
  'CREATE INDEX runs_org_created ON runs (org_id, created_at)',
  'CREATE INDEX executions_project_model_started ON model_executions (org_id, project_id, model_name, started_at)',
  'CREATE INDEX executions_project_created ON model_executions (org_id, project_id, created_at DESC, started_at DESC, id DESC)',
  'CREATE INDEX executions_project_model_created ON model_executions (org_id, project_id, model_name, created_at DESC, started_at DESC, id DESC)',
  // The data set has no logs or samples (nor has ours): these answer empty, as ours do.
  'CREATE INDEX run_log_entries_run ON run_log_entries (org_id, run_id, seq)',
  'CREATE INDEX run_telemetry_samples_run ON run_telemetry_samples (org_id, run_id, seq)',
];

/**
 * Tuned for a 24 GiB, 2-core machine; durability off only because the load is a bulk import. WAL is capped at 2 GB:
 * with 16 GB the 100 M-execution COPY filled the disk beside the chDB data set and its export (2026-11-26).
 */
const SETTINGS = [
  'shared_buffers=4GB',
  'work_mem=256MB',
  'maintenance_work_mem=2GB',
  'effective_cache_size=16GB',
  'random_page_cost=1.1',
  'max_parallel_workers_per_gather=2',
  'max_parallel_maintenance_workers=2',
  'fsync=off',
  'synchronous_commit=off',
  'full_page_writes=off',
  'wal_level=minimal',
  'max_wal_senders=0',
  'max_wal_size=2GB',
  'max_connections=100',
];

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const version = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  if (version && existsSync(join(root, version, 'bin', 'postgres'))) return join(root, version, 'bin');
  if (process.getuid?.() === 0) {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    return postgresBin();
  }
  throw new Error('PostgreSQL is not installed: run `sudo apt-get install postgresql` (Debian) and try again');
}

/** PostgreSQL refuses to run as root; as root, its tools run as the package's postgres user. */
function asPostgres(bin: string, args: string[]): void {
  const [command, commandArgs] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  execFileSync(command, commandArgs, { stdio: ['ignore', 'inherit', 'inherit'] });
}

export interface LoadTimes {
  copy: number;
  index: number;
}

export interface PeerServer {
  client: () => Promise<Client>;
  /** A pool of up to `max` connections (the concurrency section's clients). */
  pool: (max: number) => Pool;
  /** Replaces the tables' contents with an export's files (deleted once read), then indexes and vacuums. */
  load: (exportDir: string) => LoadTimes;
  stop: () => void;
}

/** A directory PostgreSQL's own user can read the export from. */
export function exportDir(name: string): string {
  return join(tmpdir(), 'runstream-bench-peer-export', name);
}

export function startPostgres(): PeerServer {
  const dir = join(tmpdir(), 'runstream-bench-postgres');
  const bin = postgresBin();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir]);
  const data = join(dir, 'data');
  asPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'bench', '--auth=trust', '-E', 'UTF8', '--locale=C']);
  const options = [`-p ${PORT}`, `-k ${dir}`, "-c listen_addresses='127.0.0.1'", ...SETTINGS.map((s) => `-c ${s}`)].join(' ');
  asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', join(dir, 'postgres.log'), '-w', 'start']);
  const connection = { host: '127.0.0.1', port: PORT, user: 'bench', database: 'postgres' };
  const psql = (...commands: string[]) =>
    execFileSync(
      join(bin, 'psql'),
      ['-h', '127.0.0.1', '-p', String(PORT), '-U', 'bench', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', ...commands.flatMap((c) => ['-c', c])],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  return {
    client: async () => {
      const client = new Client(connection);
      await client.connect();
      return client;
    },
    pool: (max) => new Pool({ ...connection, max }),
    load: (from) => {
      const copyStarted = Date.now();
      psql(`DROP TABLE IF EXISTS ${TABLES.join(', ')}`, SCHEMA);
      for (const table of ['runs', 'model_executions'] as const) {
        psql(`COPY ${table} (${PEER_COLUMNS[table].join(', ')}) FROM '${join(from, PEER_FILES[table])}'`);
        rmSync(join(from, PEER_FILES[table]));
      }
      const indexStarted = Date.now();
      psql(...INDEXES, ...TABLES.map((t) => `VACUUM ANALYZE ${t}`));
      return { copy: indexStarted - copyStarted, index: Date.now() - indexStarted };
    },
    stop: () => {
      asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
