/**
 * 2. Materializer: events/s from a pre-filled topic to rows committed in ClickHouse, against
 *    inserting the same rows directly with @clickhouse/client (10 k rows per insert).
 *    Target (issue 16): the steady drain rate >= 60% of the baseline; start-up and the group
 *    join (until the first commit) are reported apart, as the baseline pays neither.
 * 6. Materializer memory: peak RSS while draining. Target: < 250 MB.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { encodeEvent } from '@runstream/events';
import { createKafka, ensureTopics, KafkajsPublisher } from '@runstream/kafka';
import { appMain, appNodeArgs, BenchContext, compiled, MATERIALIZER_HEAP_ARGS, pass, scratch } from './context';
import { EVENTS_PER_RUN, runHistory } from './events';
import { measurePlanCpu, PlanCpu } from './plan-cpu';
import { median, peakRssMb, run, spread } from './support';

const TOPIC_PREFIX = 'mbench.';
const PARTITIONS = 6;

/** Fills the events topic with the generated history of `runs` runs, in 5,000-message sends. */
async function prefill(brokers: string, runs: number): Promise<number> {
  const kafka = createKafka({ brokers: [brokers], clientId: 'bench-prefill' });
  const topic = `${TOPIC_PREFIX}runs.events.v1`;
  await ensureTopics(kafka, [
    { topic, numPartitions: PARTITIONS },
    { topic: `${TOPIC_PREFIX}runs.events.dlq.v1`, numPartitions: PARTITIONS },
  ]);
  const publisher = new KafkajsPublisher(kafka);
  await publisher.connect();
  const pending: Promise<void>[] = [];
  let batch: { key: string; value: Buffer }[] = [];
  for (let r = 0; r < runs; r += 1) {
    for (const event of runHistory(r)) batch.push({ key: event.run_id, value: encodeEvent(event) });
    if (batch.length >= 5000) {
      pending.push(publisher.publish(topic, batch));
      batch = [];
      if (pending.length >= 8) await Promise.all(pending.splice(0));
    }
  }
  pending.push(publisher.publish(topic, batch));
  await Promise.all(pending);
  await publisher.disconnect();
  return runs * EVENTS_PER_RUN;
}

interface Drain {
  /** From the process's start until every event is committed. */
  eventsPerSecond: number;
  /** From the first commit the bench saw until every event is committed. */
  steadyEventsPerSecond: number;
  /** From the process's start until the first commit: start-up, group join and the first flush. */
  firstCommitMs: number;
  rssMb: number;
}

/** One materializer process from start until its group committed every event. */
async function drain(env: NodeJS.ProcessEnv, total: number, attempt: number): Promise<Drain> {
  const groupId = `mbench-${attempt}-${Date.now()}`;
  const chdb = scratch(`mat-chdb-${attempt}`);
  rmSync(chdb, { recursive: true, force: true });
  const admin = createKafka({ brokers: [env.KAFKA_BROKERS ?? ''], clientId: 'bench-watch' }).admin();
  await admin.connect();
  const started = Date.now();
  const child = spawn(process.execPath, [...MATERIALIZER_HEAP_ARGS, ...appNodeArgs(), appMain('materializer')], {
    env: { ...env, CLICKHOUSE_PATH: chdb, MATERIALIZER_GROUP_ID: groupId, MATERIALIZER_METRICS_PORT: '0', LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  let rssMb = 0;
  let first: { at: number; committed: number } | undefined;
  try {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      rssMb = Math.max(rssMb, peakRssMb(child.pid ?? 0));
      const [offsets] = await admin
        .fetchOffsets({ groupId, topics: [`${TOPIC_PREFIX}runs.events.v1`] })
        .catch(() => [{ partitions: [] as { offset: string }[] }]);
      const committed = offsets.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
      if (committed > 0 && !first) first = { at: Date.now(), committed };
      if (committed >= total) break;
      if (child.exitCode !== null) throw new Error(`materializer exited with ${child.exitCode}`);
    }
    const ended = Date.now();
    const firstCommit = first ?? { at: started, committed: 0 };
    // A drain that ends before a second poll has no steady part to time: it counts whole.
    const steady =
      firstCommit.committed < total ? ((total - firstCommit.committed) * 1000) / Math.max(1, ended - firstCommit.at) : (total * 1000) / (ended - started);
    return {
      eventsPerSecond: Math.round((total * 1000) / (ended - started)),
      steadyEventsPerSecond: Math.round(steady),
      firstCommitMs: firstCommit.at - started,
      rssMb,
    };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    await admin.disconnect();
    rmSync(chdb, { recursive: true, force: true });
  }
}

async function directInsert(runs: number, attempt: number): Promise<number> {
  const chdb = scratch(`direct-chdb-${attempt}`);
  rmSync(chdb, { recursive: true, force: true });
  const out = JSON.parse(await run(process.execPath, [compiled('bench', 'direct-insert'), String(runs), chdb], { ...process.env, TZ: 'UTC' })) as {
    events: number;
    ms: number;
  };
  rmSync(chdb, { recursive: true, force: true });
  return Math.round((out.events * 1000) / out.ms);
}

export interface MaterializerResult {
  total: number;
  runs: number;
  /** Whole drain, start-up included. */
  eps: number;
  spread: string;
  /** Steady drain rate after the first commit, and the start-up before it (absent in runs before 2026-11-26). */
  steady?: { eps: number; spread: string; firstCommitMs: number; ratio: number };
  /** Peak RSS of a process that only opens chDB, migrates and queries: the engine's share of every app's peak. */
  chdbAloneMb?: number;
  /** The JavaScript per event apart from the engine (absent in runs before 2026-11-26). */
  planCpu?: PlanCpu;
  rssMb: number;
  direct: { eps: number; spread: string };
  ratio: number;
}

export async function benchMaterializer(ctx: BenchContext): Promise<MaterializerResult> {
  /** Runs in the pre-filled topic (10 events each): 1 M events, 100 k with --quick. */
  const runs = ctx.quick ? 10_000 : 100_000;
  const env: NodeJS.ProcessEnv = { ...ctx.env, KAFKA_TOPIC_PREFIX: TOPIC_PREFIX, KAFKA_TOPIC_PARTITIONS: String(PARTITIONS) };
  const total = await prefill(env.KAFKA_BROKERS ?? '', runs);
  console.log(`pre-filled ${total} events`);
  const drains: Drain[] = [];
  const directs: number[] = [];
  for (let i = 0; i < ctx.runs; i += 1) {
    drains.push(await drain(env, total, i));
    directs.push(await directInsert(runs, i));
    const d = drains[i];
    console.log(
      `materializer run ${i + 1}: materializer ${d.eventsPerSecond} events/s (steady ${d.steadyEventsPerSecond} after ${d.firstCommitMs} ms to the first commit), direct inserts ${directs[i]} events/s`,
    );
  }
  const eps = median(drains.map((d) => d.eventsPerSecond));
  const direct = { eps: median(directs), spread: spread(directs) };
  const steadyEps = median(drains.map((d) => d.steadyEventsPerSecond));
  const footprint = JSON.parse(
    await run(process.execPath, [compiled('bench', 'chdb-footprint'), scratch('chdb-footprint')], { ...process.env, TZ: 'UTC' }),
  ) as {
    peakRssMb: number;
  };
  return {
    total,
    runs,
    eps,
    spread: spread(drains.map((d) => d.eventsPerSecond)),
    rssMb: Math.max(...drains.map((d) => d.rssMb)),
    direct,
    ratio: Math.round((eps / direct.eps) * 100),
    steady: {
      eps: steadyEps,
      spread: spread(drains.map((d) => d.steadyEventsPerSecond)),
      firstCommitMs: median(drains.map((d) => d.firstCommitMs)),
      ratio: Math.round((steadyEps / direct.eps) * 100),
    },
    chdbAloneMb: footprint.peakRssMb,
    planCpu: measurePlanCpu(),
  };
}

export function materializerReport(m: MaterializerResult): string {
  const steady = m.steady;
  const ratio = steady?.ratio ?? m.ratio;
  return `## 2. Materializer: pre-filled topic to committed rows

${m.total.toLocaleString('en')} events (${m.runs.toLocaleString('en')} runs × ${EVENTS_PER_RUN}: create, running, 6 progress PATCHes with a log line and a sample,
5 model executions, success) on ${PARTITIONS} partitions. The materializer process is timed from its start until its group
has committed every event (offsets polled every 250 ms); the steady drain rate counts from the first commit the bench saw,
so process start-up, the consumer group join and the first flush are reported apart. The baseline folds the same history in
memory (untimed) and times only inserting the resulting rows into the same tables, 10,000 rows per insert.

| | events/s (spread) |
|---|---|
| baseline: the same rows inserted directly with @clickhouse/client | ${m.direct.eps} (${m.direct.spread}) |
| materializer, whole drain: start, join, consume, decode, read state, fold, insert, commit | ${m.eps} (${m.spread}) |
${steady ? `| materializer, steady drain (after the first commit, ${(steady.firstCommitMs / 1000).toFixed(1)} s from start) | ${steady.eps} (${steady.spread}) |\n` : ''}
${
  m.planCpu
    ? `The materializer's JavaScript per event, apart from the engine (bench/plan-cpu.ts: 20,000 events of these histories decoded
and folded in the bench process, median of 7): decoding ${m.planCpu.decodeUs} µs (JSON and the event schema), folding ${m.planCpu.foldUs} µs.

`
    : ''
}Ratio: **${ratio}%** of baseline for the ${steady ? 'steady drain' : 'whole drain'}${steady ? ` (${m.ratio}% for the whole drain)` : ''} (target ≥ 60%: ${pass(ratio >= 60)}).

${
  ratio >= 60
    ? ''
    : `
### Why the materializer target is missed, and what would close it

${MATERIALIZER_GAP}
`
}`;
}

/** Measured explanation of the gap (kept with the code so --report renders it). */
const MATERIALIZER_GAP = `The drain is bound by the engine's insert work on this machine's 2 cores, not by the materializer's JavaScript: in a
V8 profile of a --quick drain (2026-11-26) the materializer's main thread is idle 65% of the time, waiting for chDB.
Traced per flush of ~13,300 events (--quick, other work on the machine): planning ~350 ms (decoding ~120, reading run
states ~110, folding ~120) and writing ~700 ms (the five independent inserts together ~520, \`runs\` ~175, the feed
watermark ~13), where the baseline spends ~525 ms inserting the same rows. The writes cost more than the baseline's
because a flush makes more, smaller inserts (\`runs\` and \`run_daily\` once per flush, not once per 10,000 rows), and
each insert writes a part in each of the ~13 monthly partitions the bench's year of runs touches. Done, tried and left:

- Done in issue 16's second round, each measured apart from the engine (the line above the ratio): the fold keeps one
  copy of a run's row per PATCH, builds log and sample rows without ring objects or spreads, and writes versions without
  BigInt (19 → 5 µs an event); the event schema has a quick accept path, zod answering only what it is not sure of
  (decoding 14 → 4 µs); timestamps are checked and formatted without Dates. The flush interval now counts from the previous
  flush's start, so a slow flush is not followed by a whole interval's wait (section 3).
- Tried and reverted: planning the next flush while the current one writes. It is safe (flushes waiting together hold
  different partitions, so different runs), but on a quiet machine, 400,000 events, 3 drains each, the steady rate was
  9,624 events/s with it and 9,981 without: with both cores busy during a drain there is no idle core to overlap onto.
- Tried and left at one session: a flush's five independent inserts side by side, on sessions of their own
  (CLICKHOUSE_EMBEDDED_SESSIONS, 2026-11-26; chDB had run every statement of a process one at a time). Same hour, full
  scale, 3 drains each: one session 6,373 events/s (5,714–6,410) against direct inserts 17,208 (16,793–18,862), four
  sessions 6,561 (6,343–6,764) against 17,305 (16,537–17,435): 38% both, while peak RSS went 854 → 934 MB. The inserts
  already keep both cores busy, so the materializer opens one session unless told otherwise.
- Measured and ruled out: the partitions a flush touches. The topic's consecutive runs are created a day apart, so each
  flush writes parts into ~13 monthly partitions, where live traffic and a replay in log order touch one or two. With
  runs created in log order instead (2026-11-26, --quick, one set of drains each, same hour) the baseline went 18,657 →
  23,419 events/s and the steady drain 8,806 → 9,741: the ratio fell (47% → 42%), so the fan-out is not what separates
  the two, and the workload was left as it is.
- Measured and ruled out earlier: the per-flush read of run states (\`runs FINAL\` by key). A per-member state cache that
  skipped it left the ratio at 41% (9,060 vs 22,331 events/s) and raised peak RSS to 1,229 MB, so it was not kept.
- Since 2026-11-26 \`model_executions\` carries a projection for the executions page (section 4), which every insert into
  it writes too: 10,000 execution rows insert in 58.7 ms with it and 55.9 ms without (p50 of 20 each, alternating, in
  the engine), and merges rebuild it. The drain measured 37–38% of its baseline after it, 40–41% before, in different
  hours with a 22,534–34,972 events/s spread in the baseline itself: within the noise.
- Larger flushes amortize the inserts: MATERIALIZER_MAX_BATCH_SIZE 50,000 with 64 MiB in flight drained the 1 M-event
  topic at 54% of its baseline (2026-11-26, full scale, 3 drains) where the defaults measured 39–50% that hour, but
  peaked at 1,561 MB: a setting for backfills and replays, not a default.
- What would close it: fewer inserts per event (one \`runs\`/\`run_daily\` write per several flushes would need the state cache
  above), or the engine off these cores: with a ClickHouse server (CLICKHOUSE_URL) the inserts leave the materializer's
  host, and the JavaScript left is ~10 µs an event.`;
