/**
 * `npm run bench [-- --quick] [-- --only <section>,…] [-- --report]`: measures the hot paths
 * against baselines measured in the same run and writes BENCHMARKS.md plus the raw figures in
 * BENCHMARKS.json (BENCHMARKS.quick.* with --quick; with --only, the report goes to stdout
 * alone, unless --merge puts the re-measured sections into the existing files, dated).
 * --report re-renders the markdown from the JSON without measuring. Targets live
 * here, never in tests.
 * Sections: ingest (1, 6), materializer (2, 6), freshness (3), queries (4, 6, 7), peer (5; its PostgreSQL
 * stays up for concurrency, which needs it and the query data set),
 * scrub and hostile (issue 10: linear scrubbing, ingest under hostile bodies), kafka-lines (issue 18:
 * ingest and materializer on a 3.9.x and a 4.4.x broker), feed (issue 15: change feed and run stream freshness),
 * feed-pages (the change feed's page reads over one organisation's long history).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { BenchContext, compiled, scratch } from './context';
import { benchFeed, FeedResult, feedReport } from './feed';
import { benchFeedPages, FeedPagesResult, feedPagesReport } from './feed-pages';
import { benchFreshness, FreshnessResult, freshnessReport } from './freshness';
import { benchHostile, HostileResult, hostileReport } from './hostile';
import { benchConcurrency, ConcurrencyResult, concurrencyReport } from './concurrency';
import { benchIngest, IngestResult, ingestReport } from './ingest';
import { benchKafkaLines, KafkaLinesResult, kafkaLinesReport } from './kafka-lines';
import { benchMaterializer, MaterializerResult, materializerReport } from './materializer';
import { biReport } from './bi';
import { webReport } from './web';
import { benchPeer, peerExporter, PeerResult, peerReport, removeExports } from './peer';
import { PeerServer, startPostgres } from './peer-server';
import { memoryReport } from './memory';
import { benchQueries, QueryResult } from './queries';
import { growthReport, queryReport } from './queries-report';
import { benchScrub, ScrubResult, scrubReport } from './scrub';
import { ROOT, run } from './support';

const SECTIONS = ['ingest', 'materializer', 'freshness', 'feed', 'feed-pages', 'queries', 'peer', 'concurrency', 'scrub', 'hostile', 'kafka-lines'] as const;
type Section = (typeof SECTIONS)[number];

function selectedSections(argv: string[]): Section[] {
  const at = argv.indexOf('--only');
  if (at < 0) return [...SECTIONS];
  const names = (argv[at + 1] ?? '').split(',');
  const unknown = names.filter((name) => !SECTIONS.includes(name as Section));
  if (unknown.length > 0) throw new Error(`--only: unknown section(s) ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}`);
  // The peer compares against the query benchmark's data set; concurrency against both.
  const needs = (s: Section) => (s === 'queries' && names.includes('peer')) || ((s === 'queries' || s === 'peer') && names.includes('concurrency'));
  return SECTIONS.filter((s) => names.includes(s) || needs(s));
}

function versions(): string {
  const listed = JSON.parse(
    execFileSync('npm', ['ls', '--json', '--depth=0', 'chdb', 'kafkajs', '@nestjs/core', 'fastify', 'pg'], { cwd: ROOT }).toString(),
  ) as {
    dependencies: Record<string, { version: string }>;
  };
  const v = (name: string) => listed.dependencies[name]?.version ?? '?';
  return `Node ${process.version}, NestJS ${v('@nestjs/core')}, Fastify ${v('fastify')}, kafkajs ${v('kafkajs')}, Apache Kafka ${process.env.KAFKA_VERSION ?? '4.4.0'} (local KRaft broker), chdb ${v('chdb')}`;
}

/** Everything one run measured: BENCHMARKS.json, from which BENCHMARKS.md is rendered. */
interface Results {
  date: string;
  minutes: number;
  quick: boolean;
  runs: number;
  machine: string;
  versions: string;
  ingest?: IngestResult;
  materializer?: MaterializerResult;
  freshness?: FreshnessResult;
  feed?: FeedResult;
  'feed-pages'?: FeedPagesResult;
  queries?: QueryResult;
  peer?: PeerResult;
  concurrency?: ConcurrencyResult;
  scrub?: ScrubResult;
  hostile?: HostileResult;
  'kafka-lines'?: KafkaLinesResult;
  /** Sections re-measured later by `--only … --merge`, with the date of their run. */
  remeasured?: Record<string, string>;
  /** The versions of the latest re-measuring run, when they differ from the full run's. */
  remeasuredVersions?: string;
}

/** The earlier full run with the sections this run measured put in, each dated. */
function merged(previous: Results, fresh: Results, sections: Section[]): Results {
  const result: Results = { ...previous, remeasured: { ...previous.remeasured } };
  for (const section of sections) {
    if (fresh[section] === undefined) continue;
    (result as unknown as Record<string, unknown>)[section] = fresh[section];
    result.remeasured![section] = fresh.date;
  }
  if (fresh.versions !== previous.versions) result.remeasuredVersions = fresh.versions;
  return result;
}

function remeasuredNote(r: Results): string {
  const entries = Object.entries(r.remeasured ?? {});
  if (entries.length === 0) return '';
  const listed = entries.map(([section, date]) => `${section} (${date})`).join(', ');
  return `\nRe-measured since, each with its baselines in its own run (\`--only … --merge\`): ${listed}.\n`;
}

function render(r: Results): string {
  const sections = [
    r.ingest && ingestReport(r.ingest),
    r.materializer && materializerReport(r.materializer),
    r.freshness && freshnessReport(r.freshness),
    r.feed && feedReport(r.feed),
    r['feed-pages'] && feedPagesReport(r['feed-pages']),
    r.queries && queryReport(r.queries),
    r.queries?.bi && biReport(r.queries.bi),
    r.queries?.web && webReport(r.queries.web),
    r.peer && peerReport(r.peer),
    r.concurrency && concurrencyReport(r.concurrency),
    (r.ingest || r.materializer || r.freshness || r.queries) && memoryReport(r),
    r.queries && growthReport(r.queries),
    r.scrub && scrubReport(r.scrub),
    r.hostile && hostileReport(r.hostile),
    r['kafka-lines'] && kafkaLinesReport(r['kafka-lines']),
  ].filter((section): section is string => Boolean(section));
  return `# Benchmarks

Written by \`npm run bench${r.quick ? ' -- --quick' : ''}\` on ${r.date} in ${r.minutes} minutes (raw figures: BENCHMARKS${r.quick ? '.quick' : ''}.json). Every baseline
is measured in the same run as what it is compared with; throughput figures are medians of ${r.runs} runs, with the spread
(min–max).
${remeasuredNote(r)}
Machine: ${r.machine}. ${r.versions}.${r.remeasuredVersions ? ` Sections re-measured since: ${r.remeasuredVersions}.` : ''}
Everything (load generators, apps, broker, PostgreSQL) shares those cores.

${sections.join('\n')}`;
}

async function measure(quick: boolean, sections: Section[], partialFile: string): Promise<Results> {
  const started = Date.now();
  const kafkaEnv = { ...process.env, KAFKA_PORT: '29092', KAFKA_HOME: scratch('kafka') };
  const kafkaScript = join(ROOT, 'deploy', 'kafka', 'kafka.sh');
  rmSync(kafkaEnv.KAFKA_HOME, { recursive: true, force: true });
  execFileSync(kafkaScript, ['start'], { env: kafkaEnv, stdio: 'inherit' });
  const chdbPath = scratch('chdb');
  rmSync(chdbPath, { recursive: true, force: true });
  // Throughput is measured, not the per-token budget: one bench token sends far more than 100 req/s.
  const ctx: BenchContext = {
    quick,
    runs: 3,
    env: {
      ...process.env,
      TZ: 'UTC',
      KAFKA_BROKERS: `127.0.0.1:${kafkaEnv.KAFKA_PORT}`,
      CLICKHOUSE_PATH: chdbPath,
      CLICKHOUSE_DATABASE: 'bench',
      PORT: '0',
      LOG_LEVEL: 'log',
      // Load generators drive one token far past a runner's budgets; the hostile section turns the byte budget back on.
      RATE_LIMIT_PER_SECOND: '0',
      RATE_LIMIT_BYTES_PER_SECOND: '0',
    },
  };
  const results: Results = {
    date: new Date().toISOString().slice(0, 10),
    minutes: 0,
    quick,
    runs: ctx.runs,
    machine: `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB memory`,
    versions: versions(),
  };
  const createToken = async (name: string): Promise<string> =>
    (JSON.parse(await run(process.execPath, [compiled('scripts', 'tokens'), 'create', '--org', 'bench', '--name', name], ctx.env)) as { token: string }).token;
  let token: string | undefined;
  const writeToken = async (): Promise<string> => (token ??= await createToken('bench'));
  // The hostile section's second client, with a token of its own.
  const attackerToken = (): Promise<string> => createToken('attacker');
  // The peer exports each size of the query data set while it is on disk, and its server stays
  // up, loaded with the largest, for the concurrency section.
  const exporter = sections.includes('peer') ? peerExporter(ctx) : undefined;
  let postgres: PeerServer | undefined;
  try {
    for (const section of sections) {
      console.log(`== ${section}`);
      if (section === 'ingest') results.ingest = await benchIngest(ctx, await writeToken());
      if (section === 'materializer') results.materializer = await benchMaterializer(ctx);
      if (section === 'freshness') results.freshness = await benchFreshness(ctx);
      if (section === 'feed') results.feed = await benchFeed(ctx);
      if (section === 'feed-pages') results['feed-pages'] = await benchFeedPages(ctx);
      if (section === 'queries') results.queries = await benchQueries(ctx, exporter?.afterStep);
      if (section === 'peer' && results.queries) results.peer = await benchPeer(results.queries, exporter?.exports ?? [], (postgres = startPostgres()));
      if (section === 'concurrency' && results.queries) results.concurrency = await benchConcurrency(ctx, results.queries, postgres);
      if (section === 'scrub') results.scrub = benchScrub(ctx);
      if (section === 'hostile') results.hostile = await benchHostile(ctx, await writeToken(), await attackerToken());
      if (section === 'kafka-lines') results['kafka-lines'] = await benchKafkaLines(ctx);
      // What is measured so far survives a later section's failure.
      writeFileSync(partialFile, `${JSON.stringify(results, null, 2)}\n`);
    }
  } finally {
    postgres?.stop();
    if (exporter) removeExports();
    execFileSync(kafkaScript, ['stop'], { env: kafkaEnv, stdio: 'inherit' });
    rmSync(chdbPath, { recursive: true, force: true });
    if (results.queries) rmSync(results.queries.path, { recursive: true, force: true });
  }
  results.minutes = Math.round((Date.now() - started) / 6000) / 10;
  return results;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const sections = selectedSections(process.argv);
  const base = join(ROOT, quick ? 'BENCHMARKS.quick' : 'BENCHMARKS');
  const complete = sections.length === SECTIONS.length;
  const measured = process.argv.includes('--report')
    ? (JSON.parse(readFileSync(`${base}.json`, 'utf8')) as Results)
    : await measure(quick, sections, `${base}.partial.json`);
  const merging = process.argv.includes('--merge') && !complete;
  const results = merging ? merged(JSON.parse(readFileSync(`${base}.json`, 'utf8')) as Results, measured, sections) : measured;
  const report = render(results);
  if (complete || merging) {
    writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(`${base}.md`, report);
    rmSync(`${base}.partial.json`, { force: true });
  }
  console.log(report);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
