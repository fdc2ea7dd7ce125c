/**
 * `npm run bench [-- --quick] [-- --only <section>,…]`: measures the hot paths against
 * baselines measured in the same run and writes BENCHMARKS.md (BENCHMARKS.quick.md with
 * --quick; with --only, the report goes to stdout alone). Targets live here, never in tests.
 * Sections: ingest (1, 6), materializer (2, 6), freshness (3), queries (4, 6, 7), peer (5).
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { BenchContext, compiled, scratch } from './context';
import { benchFreshness, freshnessReport } from './freshness';
import { benchIngest, ingestReport } from './ingest';
import { benchMaterializer, materializerReport } from './materializer';
import { benchPeer, peerReport } from './peer';
import { benchQueries, QueryResult, queryReport } from './queries';
import { ROOT, run } from './support';

const SECTIONS = ['ingest', 'materializer', 'freshness', 'queries', 'peer'] as const;
type Section = (typeof SECTIONS)[number];

function selectedSections(argv: string[]): Section[] {
  const at = argv.indexOf('--only');
  if (at < 0) return [...SECTIONS];
  const names = (argv[at + 1] ?? '').split(',');
  const unknown = names.filter((name) => !SECTIONS.includes(name as Section));
  if (unknown.length > 0) throw new Error(`--only: unknown section(s) ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}`);
  // The peer compares against the query benchmark's data set.
  return SECTIONS.filter((s) => names.includes(s) || (s === 'queries' && names.includes('peer')));
}

function versions(): string {
  const listed = JSON.parse(execFileSync('npm', ['ls', '--json', '--depth=0', 'chdb', 'kafkajs', '@nestjs/core', 'fastify', 'pg'], { cwd: ROOT }).toString()) as {
    dependencies: Record<string, { version: string }>;
  };
  const v = (name: string) => listed.dependencies[name]?.version ?? '?';
  return `Node ${process.version}, NestJS ${v('@nestjs/core')}, Fastify ${v('fastify')}, kafkajs ${v('kafkajs')}, Apache Kafka 3.9.1 (local KRaft broker), chdb ${v('chdb')}`;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const sections = selectedSections(process.argv);
  const started = Date.now();
  const kafkaEnv = { ...process.env, KAFKA_PORT: '29092', KAFKA_HOME: scratch('kafka') };
  const kafkaScript = join(ROOT, 'deploy', 'kafka', 'kafka.sh');
  rmSync(kafkaEnv.KAFKA_HOME, { recursive: true, force: true });
  execFileSync(kafkaScript, ['start'], { env: kafkaEnv, stdio: 'inherit' });
  const chdbPath = scratch('chdb');
  rmSync(chdbPath, { recursive: true, force: true });
  const ctx: BenchContext = {
    quick,
    runs: 3,
    env: { ...process.env, TZ: 'UTC', KAFKA_BROKERS: `127.0.0.1:${kafkaEnv.KAFKA_PORT}`, CLICKHOUSE_PATH: chdbPath, CLICKHOUSE_DATABASE: 'bench', PORT: '0', LOG_LEVEL: 'log' },
  };
  const reports: string[] = [];
  let queries: QueryResult | undefined;
  try {
    for (const section of sections) {
      console.log(`== ${section}`);
      if (section === 'ingest') {
        const created = JSON.parse(await run(process.execPath, [compiled('scripts', 'tokens'), 'create', '--org', 'bench', '--name', 'bench'], ctx.env)) as { token: string };
        reports.push(ingestReport(await benchIngest(ctx, created.token)));
      }
      if (section === 'materializer') reports.push(materializerReport(await benchMaterializer(ctx)));
      if (section === 'freshness') reports.push(freshnessReport(await benchFreshness(ctx)));
      if (section === 'queries') {
        queries = await benchQueries(ctx);
        reports.push(queryReport(queries));
      }
      if (section === 'peer' && queries) reports.push(peerReport(await benchPeer(ctx, queries)));
    }
  } finally {
    execFileSync(kafkaScript, ['stop'], { env: kafkaEnv, stdio: 'inherit' });
    rmSync(chdbPath, { recursive: true, force: true });
    if (queries) rmSync(queries.path, { recursive: true, force: true });
  }
  const minutes = Math.round((Date.now() - started) / 6000) / 10;
  const report = `# Benchmarks

Written by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${new Date().toISOString().slice(0, 10)} in ${minutes} minutes. Every baseline is measured in the same
run as what it is compared with; throughput figures are medians of ${ctx.runs} runs, with the spread (min–max).

Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB memory. ${versions()}.
Everything (load generators, apps, broker, PostgreSQL) shares those cores.

${reports.join('\n')}`;
  if (sections.length === SECTIONS.length) writeFileSync(join(ROOT, quick ? 'BENCHMARKS.quick.md' : 'BENCHMARKS.md'), report);
  console.log(report);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
