/**
 * The query benchmark's data set, driven as its own process (chDB binds a directory to one
 * process):
 * - `generate.js grow <path> <database> <fromRuns> <toRuns> <anchorMs>` appends runs
 *   [fromRuns, toRuns) and their executions, merges, and prints JSON
 *   { runs, executions, generateMs, mergeMs, tokens, samples }. The first step (fromRuns 0)
 *   also creates one user token per organisation.
 * - `generate.js bi-direct <path> <database> <targets json>` times the BI benchmark's query
 *   run directly, once per target, and prints { times }.
 * - `generate.js export <path> <database> <dir>` writes the runs and model executions as
 *   tab-separated files for PostgreSQL's COPY, and prints { runs, executions, exportMs }.
 */
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { TokenService } from '@runstream/auth';
import { anyRow, ClickHouseStore, migrate, openClickHouse } from '@runstream/clickhouse';
import { BI_DIRECT_QUERY } from './bi';
import { countDataset, exportDataset, generateExecutions, generateRuns, mergeDataset, ORGS, PEER_FILES, sampleRuns } from './dataset';

/** Runs per INSERT: bounds the engine's memory while generating. */
const CHUNK_RUNS = 1_000_000;
/** Runs drawn to parameterize requests: drawn uniformly over runs, so big projects come up as often as they hold data. */
const SAMPLES = 200;

async function grow(store: ClickHouseStore, from: number, to: number, anchor: number): Promise<object> {
  const tokens: Record<string, string> = {};
  if (from === 0) {
    const service = new TokenService(store);
    for (let org = 0; org < ORGS; org += 1) tokens[`org_${org}`] = (await service.create({ orgId: `org_${org}`, name: 'bench', kind: 'user' })).token;
  }
  const started = Date.now();
  for (let chunk = from; chunk < to; chunk += CHUNK_RUNS) {
    const end = Math.min(to, chunk + CHUNK_RUNS);
    await generateRuns(store, anchor, chunk, end);
    await generateExecutions(store, anchor, chunk, end);
  }
  const generated = Date.now();
  await mergeDataset(store);
  const merged = Date.now();
  return { ...(await countDataset(store)), generateMs: generated - started, mergeMs: merged - generated, tokens, samples: await sampleRuns(store, SAMPLES) };
}

/** The BI benchmark's baseline: its dashboard query run directly, timed per call (bench/bi.ts). */
async function biDirect(store: ClickHouseStore, targets: { org: string; project: string }[]): Promise<object> {
  const times: number[] = [];
  for (const { org, project } of targets) {
    const started = performance.now();
    await store.query(anyRow, BI_DIRECT_QUERY, { org, project });
    times.push(performance.now() - started);
  }
  return { times };
}

async function exportTo(store: ClickHouseStore, dir: string): Promise<object> {
  const started = Date.now();
  await exportDataset(store, dir);
  // PostgreSQL's server reads them as its own user.
  for (const file of Object.values(PEER_FILES)) chmodSync(join(dir, file), 0o644);
  return { ...(await countDataset(store)), exportMs: Date.now() - started };
}

async function main(): Promise<void> {
  const [command, path, database, ...rest] = process.argv.slice(2);
  const store = openClickHouse({ path, database });
  await migrate(store);
  let result: object;
  if (command === 'grow') {
    const [from, to, anchor] = rest.map(Number);
    result = await grow(store, from, to, anchor);
  } else if (command === 'export') {
    result = await exportTo(store, rest[0]);
  } else if (command === 'bi-direct') {
    result = await biDirect(store, JSON.parse(rest[0]) as { org: string; project: string }[]);
  } else {
    throw new Error(`unknown command ${command}: grow, export or bi-direct`);
  }
  process.stdout.write(JSON.stringify(result));
  await store.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
