import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { BenchContext, compiled, scratch } from './context';
import { benchIngest, IngestResult } from './ingest';
import { benchMaterializer, MaterializerResult } from './materializer';
import { ROOT, run } from './support';

/** The oldest and the newest Kafka line the project supports (issue 18). */
export const KAFKA_LINES = ['3.9.1', '4.4.0'] as const;

export interface KafkaLineResult {
  version: string;
  ingest: IngestResult;
  materializer: MaterializerResult;
}

export interface KafkaLinesResult {
  lines: KafkaLineResult[];
}

/**
 * Ingest and the materializer on a broker of each line, one after the other in the same run, each
 * line with its own fresh broker and chDB: what changes between the rows is the broker's version.
 */
export async function benchKafkaLines(base: BenchContext): Promise<KafkaLinesResult> {
  const script = join(ROOT, 'deploy', 'kafka', 'kafka.sh');
  const lines: KafkaLineResult[] = [];
  for (const [index, version] of KAFKA_LINES.entries()) {
    const brokerEnv = { ...process.env, KAFKA_VERSION: version, KAFKA_PORT: String(29192 + index * 10), KAFKA_HOME: scratch(`kafka-${version}`) };
    rmSync(brokerEnv.KAFKA_HOME, { recursive: true, force: true });
    const chdb = scratch(`chdb-kafka-${version}`);
    rmSync(chdb, { recursive: true, force: true });
    execFileSync(script, ['start'], { env: brokerEnv, stdio: 'inherit' });
    try {
      const ctx: BenchContext = { ...base, env: { ...base.env, KAFKA_BROKERS: `127.0.0.1:${brokerEnv.KAFKA_PORT}`, CLICKHOUSE_PATH: chdb } };
      const { token } = JSON.parse(
        await run(process.execPath, [compiled('scripts', 'tokens'), 'create', '--org', 'bench', '--name', `bench-${version}`], ctx.env),
      ) as { token: string };
      console.log(`-- Kafka ${version}`);
      lines.push({ version, ingest: await benchIngest(ctx, token), materializer: await benchMaterializer(ctx) });
    } finally {
      execFileSync(script, ['stop'], { env: brokerEnv, stdio: 'inherit' });
      rmSync(chdb, { recursive: true, force: true });
    }
  }
  return { lines };
}

export function kafkaLinesReport(r: KafkaLinesResult): string {
  const rows = r.lines.map(
    ({ version, ingest: i, materializer: m }) =>
      `| Apache Kafka ${version} | ${i.ingest.rps} (${i.ingest.rpsSpread}) | ${i.ratio} | ${i.ingest.p99} | ${m.eps} (${m.spread}) | ${m.ratio} |`,
  );
  const [old, current] = r.lines;
  const compare =
    old && current
      ? `\nKafka ${current.version} against ${old.version}: ingest ${(current.ingest.ingest.rps / old.ingest.ingest.rps).toFixed(2)}×, materializer ${(current.materializer.eps / old.materializer.eps).toFixed(2)}× (each line's own baselines are in its row's ratios).\n`
      : '';
  return `## Kafka lines: the same ingest and materializer benchmarks on 3.9.x and 4.4.x

Sections 1 and 2 again, on a fresh local broker of each line in turn (same run, same machine, kafkajs 2.2.4 unchanged).

| broker | ingest req/s (spread) | ingest, % of bare Fastify | ingest p99 ms | materializer events/s (spread) | materializer, % of direct inserts |
|---|---|---|---|---|---|
${rows.join('\n')}
${compare}`;
}
