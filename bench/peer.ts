/**
 * 5. Peer: the query benchmark's data set loaded into PostgreSQL (bench/peer-server.ts) at every
 *    size of the growth table, and the equivalent SQL (bench/peer-queries.ts) for every endpoint
 *    of section 4, on the same requests. Targets (issue 16): >= 10× faster on the stats at the
 *    largest size; every endpoint's p50 <= PostgreSQL's at every size.
 * The server stays up, loaded with the largest size, for the concurrency section; the runner stops it.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { Client } from 'pg';
import { BenchContext, compiled } from './context';
import { RunSample } from './dataset';
import { PEER_QUERIES, PeerQuery } from './peer-queries';
import { exportDir, LoadTimes, PeerServer } from './peer-server';
import { DataStep, ENDPOINTS, Latency, QueryResult, REQUESTS, requestDraws, summarizeLatencies, WARMUP } from './queries';
import { run } from './support';

export { peerReport } from './peer-report';

/** One size of the data set, exported for COPY. */
export interface PeerExport {
  dir: string;
  runs: number;
  executions: number;
  exportMs: number;
  samples: RunSample[];
}

export interface PeerRow {
  name: string;
  endpoint: string;
  stats: boolean;
  ours: Latency;
  postgres: Latency;
}

export interface PeerSize {
  runs: number;
  executions: number;
  loadMs: { export: number } & LoadTimes;
  rows: PeerRow[];
}

export interface PeerResult {
  /** The largest size (section 5's table). */
  runs: number;
  executions: number;
  loadMs: { export: number } & LoadTimes;
  rows: PeerRow[];
  /** Every size of the growth table, smallest first (absent in older runs). */
  sizes?: PeerSize[];
}

/**
 * The query benchmark's `afterStep` for the peer: each size's runs and executions exported as
 * TSV while that size is on disk (the data set only grows, so a size cannot be read back later).
 */
export function peerExporter(ctx: BenchContext): { exports: PeerExport[]; afterStep: (step: DataStep) => Promise<void> } {
  const exports: PeerExport[] = [];
  const afterStep = async (step: DataStep) => {
    const dir = exportDir(String(exports.length));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    // PostgreSQL's server reads the files as its own user.
    chmodSync(dir, 0o777);
    chmodSync(exportDir(''), 0o755);
    const exported = JSON.parse(await run(process.execPath, [compiled('bench', 'generate'), 'export', step.path, step.database, dir], ctx.env)) as {
      runs: number;
      executions: number;
      exportMs: number;
    };
    console.log(`peer: exported ${exported.runs} runs and ${exported.executions} executions in ${exported.exportMs} ms`);
    exports.push({ dir, ...exported, samples: step.samples });
  };
  return { exports, afterStep };
}

/** Removes what the exporter left (its files are deleted as they are loaded). */
export function removeExports(): void {
  rmSync(exportDir(''), { recursive: true, force: true });
}

/** The statements of request i of `query`, for the same draws its endpoint makes. */
export function peerRequests(query: PeerQuery, samples: RunSample[], anchor: number, count: number): { text: string; values: unknown[] }[][] {
  const { pick, sample } = requestDraws(
    ENDPOINTS.findIndex((e) => e.name === query.endpoint),
    samples,
  );
  return Array.from({ length: count }, (_, i) => query.statements(sample(i), i, pick, anchor));
}

async function measure(client: Client, query: PeerQuery, samples: RunSample[], anchor: number): Promise<Latency> {
  const times: number[] = [];
  for (const [i, statements] of peerRequests(query, samples, anchor, WARMUP + REQUESTS).entries()) {
    const started = performance.now();
    for (const statement of statements) await client.query(statement);
    if (i >= WARMUP) times.push(performance.now() - started);
  }
  return summarizeLatencies(times);
}

async function measureSize(server: PeerServer, exported: PeerExport, ours: Record<string, Latency>, anchor: number): Promise<PeerSize> {
  const loadMs = { export: exported.exportMs, ...server.load(exported.dir) };
  console.log(`peer: ${exported.runs} runs loaded in ${loadMs.copy} ms, indexed and vacuumed in ${loadMs.index} ms`);
  const client = await server.client();
  const rows: PeerRow[] = [];
  try {
    for (const query of PEER_QUERIES) {
      const postgres = await measure(client, query, exported.samples, anchor);
      const mine = ours[query.endpoint];
      rows.push({ name: query.name, endpoint: query.endpoint, stats: query.stats, ours: mine, postgres });
      console.log(`  ${query.name}: PostgreSQL p50 ${postgres.p50} ms, p95 ${postgres.p95} ms; ours p50 ${mine.p50} ms, p95 ${mine.p95} ms`);
    }
  } finally {
    await client.end();
  }
  return { runs: exported.runs, executions: exported.executions, loadMs, rows };
}

/** Loads and measures every size in turn, leaving the server loaded with the largest. */
export async function benchPeer(queries: QueryResult, exports: PeerExport[], server: PeerServer): Promise<PeerResult> {
  if (exports.length !== queries.sizes.length) throw new Error(`the peer has ${exports.length} exports for ${queries.sizes.length} sizes`);
  const sizes: PeerSize[] = [];
  for (const [index, exported] of exports.entries()) {
    sizes.push(await measureSize(server, exported, queries.sizes[index].latencies, queries.anchor));
  }
  const largest = sizes[sizes.length - 1];
  return { runs: largest.runs, executions: largest.executions, loadMs: largest.loadMs, rows: largest.rows, sizes };
}
