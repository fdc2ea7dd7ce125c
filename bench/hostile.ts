/**
 * Hostile bodies: the p99 of ordinary PATCHes (bench/ingest.ts's body, at a steady rate a runner
 * fleet could send) while a second client sends near-1 MiB hostile bodies to the same ingest,
 * against the p99 of the same load without them, alternated in one run. Target: < 3x.
 */
import { DEFAULT_RATE_LIMIT } from '@runstream/http';
import { scrubMs } from './scrub';
import { ADVERSARIAL_UNITS, repeatTo } from '../apps/ingest/src/runs/scrub-adversarial';
import { appMain, appNodeArgs, BenchContext, pass } from './context';
import { createRuns, load, Load, LoadOptions, PATCH_BODY } from './ingest';
import { median, spread, startServer } from './support';

const CONNECTIONS = 10;
/** Well under ingest's saturation (section 1), so p99 shows delay the hostile bodies cause, not queueing at capacity. */
const RATE = 300;
const RUN_IDS = 200;
/** Hostile requests in flight at once. */
const ATTACKERS = 2;
/**
 * Hostile bodies per second across the loops: what the unprotected ingest took in (~22 MiB/s of ~1 MiB
 * bodies, 2026-11-25). Paced, so an ingest answering faster is not flooded harder by a load
 * generator sharing its 2 cores, which would measure the generator's CPU, not the defence.
 */
const ATTACK_BODIES_PER_SECOND = 24;
const TARGET_RATIO = 3;
const MESSAGE_LENGTH = 10_000;
const BODY_BUDGET = 1024 * 1024 - 4096;

/** The hostile unit that scrubs slowest (measured on 10,000 characters, the longest message ingest takes). */
function slowestUnit(): string {
  return ADVERSARIAL_UNITS.map((unit) => ({ unit, ms: scrubMs(repeatTo(unit, MESSAGE_LENGTH), 3) })).sort((a, b) => b.ms - a.ms)[0].unit;
}

/** Near-1 MiB bodies, each a different way to make ingest work hard for a request it must refuse or scrub. */
export function hostileBodies(unit: string): Record<string, string> {
  const message = repeatTo(unit, MESSAGE_LENGTH);
  const at = new Date().toISOString();
  // Sized by the escaped message: quotes and tabs take two bytes in JSON.
  const entries = Math.floor(BODY_BUDGET / (JSON.stringify(message).length + 80));
  const depth = Math.floor(BODY_BUDGET / 2) - 64;
  const keys = Math.floor(BODY_BUDGET / '"k100000":100000,'.length);
  return {
    'worst-case scrub text': JSON.stringify({
      errorSummary: message,
      appendLog: { level: 'error', message },
      logEntries: Array.from({ length: entries - 2 }, () => ({ at, level: 'info', message })),
    }),
    'deeply nested JSON': `{"telemetrySummary":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    'many keys': JSON.stringify({ telemetrySummary: Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, i])) }),
    'invalid types': JSON.stringify({ status: 42, logEntries: Array.from({ length: Math.floor(BODY_BUDGET / 2) }, () => 1) }),
  };
}

interface Attack {
  stop: () => Promise<void>;
  /** Answers by status class per body kind, e.g. { 'many keys': { '4xx': 12 } }. */
  answers: Record<string, Record<string, number>>;
  /** How long each answer took, per body kind. */
  answerMs: Record<string, number[]>;
  bytes: number;
}

/** Sends the hostile bodies round-robin from ATTACKERS loops until stopped. */
function attack(url: string, headers: Record<string, string>, bodies: Record<string, string>): Attack {
  const kinds = Object.keys(bodies);
  const answers: Attack['answers'] = Object.fromEntries(kinds.map((k) => [k, {}]));
  const answerMs: Attack['answerMs'] = Object.fromEntries(kinds.map((k) => [k, []]));
  const state = { running: true, next: 0, bytes: 0 };
  const started = performance.now();
  const loop = async (): Promise<void> => {
    while (state.running) {
      // Body n leaves at n / ATTACK_BODIES_PER_SECOND seconds, or as soon as a loop is free when behind.
      const due = started + (state.next * 1000) / ATTACK_BODIES_PER_SECOND - performance.now();
      if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
      if (!state.running) break;
      const kind = kinds[state.next++ % kinds.length];
      let answer: string;
      const sent = performance.now();
      try {
        const response = await fetch(url, { method: 'PATCH', headers: { ...headers, 'content-type': 'application/json' }, body: bodies[kind] });
        await response.arrayBuffer();
        answer = `${Math.floor(response.status / 100)}xx`;
      } catch {
        answer = 'error';
      }
      answerMs[kind].push(performance.now() - sent);
      state.bytes += Buffer.byteLength(bodies[kind]);
      answers[kind][answer] = (answers[kind][answer] ?? 0) + 1;
    }
  };
  const loops = Array.from({ length: ATTACKERS }, loop);
  return {
    answers,
    answerMs,
    get bytes() {
      return state.bytes;
    },
    stop: async () => {
      state.running = false;
      await Promise.all(loops);
    },
  };
}

export interface HostileResult {
  quiet: { p50: number; p99: number; p99Spread: string };
  attacked: { p50: number; p99: number; p99Spread: string };
  ratio: number;
  failures: number;
  unit: string;
  bodies: { kind: string; bytes: number; answers: Record<string, number>; medianMs: number }[];
  hostileMbPerSecond: number;
  seconds: number;
}

const summary = (loads: Load[]) => ({ p50: median(loads.map((l) => l.p50)), p99: median(loads.map((l) => l.p99)), p99Spread: spread(loads.map((l) => l.p99)) });

export async function benchHostile(ctx: BenchContext, token: string, attackerToken: string): Promise<HostileResult> {
  const seconds = ctx.quick ? 3 : 10;
  const headers = { authorization: `Bearer ${token}` };
  const unit = slowestUnit();
  const bodies = hostileBodies(unit);
  // The byte budget at its defaults (the other sections turn it off to drive one token at full speed).
  const env = {
    ...ctx.env,
    RATE_LIMIT_BYTES_PER_SECOND: String(DEFAULT_RATE_LIMIT.bytesPerSecond),
    RATE_LIMIT_BYTES_BURST: String(DEFAULT_RATE_LIMIT.bytesBurst),
  };
  const ingest = await startServer(process.execPath, [...appNodeArgs(), appMain('ingest')], env, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
  try {
    const url = ingest.match[1];
    const paths = (await createRuns(url, headers, RUN_IDS, 'proj_hostile')).map((id) => `/api/elt/runs/${id}`);
    const [target] = await createRuns(url, headers, 1, 'proj_hostile_target');
    const options = (secs: number): LoadOptions => ({
      url,
      paths,
      method: 'PATCH',
      body: PATCH_BODY,
      headers,
      connections: CONNECTIONS,
      seconds: secs,
      rate: RATE,
    });
    await load(options(2));
    const quiet: Load[] = [];
    const attacked: Load[] = [];
    let hostileBytes = 0;
    let hostileSeconds = 0;
    const answers: Record<string, Record<string, number>> = {};
    const answerMs: Record<string, number[]> = {};
    for (let i = 0; i < ctx.runs; i += 1) {
      quiet.push(await load(options(seconds)));
      const started = Date.now();
      const running = attack(`${url}/api/elt/runs/${target}`, { authorization: `Bearer ${attackerToken}` }, bodies);
      attacked.push(await load(options(seconds)));
      await running.stop();
      hostileSeconds += (Date.now() - started) / 1000;
      hostileBytes += running.bytes;
      for (const [kind, times] of Object.entries(running.answerMs)) answerMs[kind] = [...(answerMs[kind] ?? []), ...times];
      for (const [kind, counts] of Object.entries(running.answers)) {
        answers[kind] ??= {};
        for (const [status, n] of Object.entries(counts)) answers[kind][status] = (answers[kind][status] ?? 0) + n;
      }
      console.log(`hostile run ${i + 1}: p99 quiet ${quiet[i].p99} ms, attacked ${attacked[i].p99} ms; ${JSON.stringify(running.answers)}`);
    }
    const [q, a] = [summary(quiet), summary(attacked)];
    return {
      quiet: q,
      attacked: a,
      ratio: Math.round((a.p99 / Math.max(q.p99, 1)) * 10) / 10,
      failures: [...quiet, ...attacked].reduce((sum, l) => sum + l.non2xx + l.errors, 0),
      unit,
      bodies: Object.entries(bodies).map(([kind, body]) => ({
        kind,
        bytes: Buffer.byteLength(body),
        answers: answers[kind] ?? {},
        medianMs: Math.round(median(answerMs[kind] ?? [0])),
      })),
      hostileMbPerSecond: Math.round((hostileBytes / 2 ** 20 / Math.max(hostileSeconds, 0.001)) * 10) / 10,
      seconds,
    };
  } finally {
    ingest.child.kill('SIGTERM');
  }
}

export function hostileReport(r: HostileResult): string {
  const answers = (counts: Record<string, number>) =>
    Object.entries(counts)
      .sort()
      .map(([status, n]) => `${n} ${status}`)
      .join(', ') || 'none';
  return `## Hostile bodies: ordinary PATCH p99 while a second client attacks (issue 10)

Ordinary load: autocannon in its own process, ${CONNECTIONS} connections at ${RATE} req/s in all (well under ingest's capacity in section 1),
the ${Buffer.byteLength(PATCH_BODY)}-byte PATCH of section 1 over ${RUN_IDS} runs, ${r.seconds} s per run. Attacked: the same load while ${ATTACKERS} loops
in the bench process send the bodies below round-robin to one run of the same ingest, with a token of their own, paced at
${ATTACK_BODIES_PER_SECOND} bodies/s (what the ingest took in before it refused any unread; ${r.hostileMbPerSecond} MiB/s on average). Quiet and
attacked runs alternate. Ingest runs with its default request-body budget per token (\`RATE_LIMIT_BYTES_PER_SECOND\`
${DEFAULT_RATE_LIMIT.bytesPerSecond / 2 ** 20} MiB/s, \`RATE_LIMIT_BYTES_BURST\` ${DEFAULT_RATE_LIMIT.bytesBurst / 2 ** 20} MiB), charged from Content-Length before a body is read:
past it, bodies are answered 429 with Retry-After unread.

| | p50 ms | p99 ms (spread) |
|---|---|---|
| quiet | ${r.quiet.p50} | ${r.quiet.p99} (${r.quiet.p99Spread}) |
| attacked | ${r.attacked.p50} | ${r.attacked.p99} (${r.attacked.p99Spread}) |

p99 attacked / quiet: **${r.ratio}x** (target < ${TARGET_RATIO}x: ${pass(r.ratio < TARGET_RATIO)}); ordinary non-2xx + errors: ${r.failures}.

| hostile body | bytes | answers | median answer ms |
|---|---|---|---|
${r.bodies.map((b) => `| ${b.kind}${b.kind === 'worst-case scrub text' ? ` (${JSON.stringify(r.unit)} repeated to 10,000-character messages)` : ''} | ${b.bytes.toLocaleString('en')} | ${answers(b.answers)} | ${b.medianMs} |`).join('\n')}

### What keeps a hostile body from holding the event loop

Each hostile body would hold ingest's one event loop for tens of milliseconds (reading and parsing ~1 MiB of JSON, or
scrubbing 1 MiB of text shaped to be slow), and ordinary PATCHes would queue behind it. Three defences, each measured in
its own run against the one before:

- Arrays over 2,000 items and objects over 64 keys are refused before validation walks them, and scrubbing is linear
  (the scrub section).
- Each token's bodies are charged to a byte budget before they are read; past it they are answered 429 unread in a few
  milliseconds (53–111 ms each before). That took the ordinary p50 under attack from 183 ms to single digits, not the p99
  (311–576 ms): the budget still admits ${DEFAULT_RATE_LIMIT.bytesBurst / 2 ** 20} MiB as an attack starts and ${DEFAULT_RATE_LIMIT.bytesPerSecond / 2 ** 20} MiB/s after.
- Since 2026-11-26 what the budget admits is handled off the event loop: bodies of 64 KiB or more
  (\`HTTP_JSON_WORKER_MIN_BYTES\`) are parsed and shape-checked on a worker thread, which hands back only a body that passes,
  and a write with 64 KiB or more of text is scrubbed on another, both at nice +10. The attacked p99 of each run (this
  section's three alternations per invocation), same hour, same pace: every body on the event loop
  (\`HTTP_JSON_WORKER_MIN_BYTES=0\`) 155–489 ms (6 runs); the parser's worker alone 46–55 ms (3); both workers 16–63 ms
  (6); both at nice +10, so the scheduler runs the event loop first, 19–45 ms (6; medians 21 and 23 ms).
${
  r.ratio < TARGET_RATIO
    ? ''
    : `
### Why the hostile target is missed, and what would close it

The worker threads share the machine's 2 cores with the ordinary load, its load generator and the broker, so a burst of
hostile bodies still takes CPU time from the event loop, though no longer in one block. What would close it: fewer cores
for the workers' work (a smaller byte budget per token, which would also slow a runner shipping big logs) or more cores.
`
}`;
}
