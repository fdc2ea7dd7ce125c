import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import { fuzzRequest } from './arbitraries';
import { Answer, send, UNSENDABLE } from './client';
import { ControlWrites } from './control';
import { HealthProbe, HealthReport } from './health';
import { describeRequest, FuzzRequest, materialize, SendContext } from './payload';
import { FuzzRoute } from './routes';

export interface CampaignOptions {
  seed: number;
  requests: number;
  concurrency: number;
  /** One control write per this many hostile requests. */
  controlEvery: number;
  /** No answer within this long is a hang. */
  hangMs: number;
  healthDeadlineMs: number;
  /** Time fast-check may spend shrinking each distinct finding, and how many to shrink. */
  shrinkMs: number;
  shrinkGroups: number;
  bodyLimit: number;
  /** When set, every request and answer is appended to this file as a JSON line (debugging generators). */
  logFile?: string;
}

export interface Finding {
  /** Index of the generated request: replay it with `{ seed, path: String(index) }`. */
  index: number;
  request: FuzzRequest;
  answer: Answer;
  problem: string;
}

export interface Shrunk {
  group: string;
  reproduced: boolean;
  numShrinks: number;
  request?: FuzzRequest;
  answer?: Answer;
}

export interface CampaignResult {
  sent: number;
  unsendable: number;
  elapsedMs: number;
  statusesByRoute: Record<string, Record<string, number>>;
  findings: Finding[];
  shrunk: Shrunk[];
  health: HealthReport;
}

/** What is wrong with an answer, if anything: 5xx (503 only with Retry-After), 429 without Retry-After, no answer. */
export function problemOf(answer: Answer): string | undefined {
  if (answer.error?.startsWith(UNSENDABLE)) return undefined;
  if (answer.status === 0) return answer.error?.startsWith('no answer within') ? 'hang' : `no answer (${answer.error})`;
  if ((answer.status === 429 || answer.status === 503) && !answer.retryAfter) return `${answer.status} without Retry-After`;
  if (answer.status >= 500 && answer.status !== 503) return String(answer.status);
  return undefined;
}

/** Route, problem and the answer's message without ids: one line per distinct bug. */
export function groupOf(request: FuzzRequest, answer: Answer, problem: string): string {
  let message = answer.body;
  try {
    const parsed = JSON.parse(answer.body) as { message?: unknown };
    if (parsed.message !== undefined) message = String(parsed.message);
  } catch {
    // not JSON: keep the text
  }
  return `${request.route} → ${problem} ${message.replace(/[0-9a-f]{8,}|\d+/gi, '#').slice(0, 120)}`.trim();
}

/** Bounded concurrency: `submit` resolves once the task started, so the generator keeps ahead of the requests. */
class Pool {
  private readonly active = new Set<Promise<void>>();
  constructor(private readonly size: number) {}

  async submit(task: () => Promise<void>): Promise<void> {
    while (this.active.size >= this.size) await Promise.race(this.active);
    const running: Promise<void> = task().finally(() => this.active.delete(running));
    this.active.add(running);
  }

  drain(): Promise<unknown> {
    return Promise.all(this.active);
  }
}

/** Base URL of each fuzzed app by name (`ingest`, `query`, …): the keys routes' `app` names. */
export type AppUrls = Record<string, string>;

function urlOf(request: FuzzRequest, urls: AppUrls): string {
  return urls[request.app];
}

/**
 * Sends `requests` generated requests (fast-check, from `seed`) with bounded concurrency while
 * probing health and sending control writes; then lets fast-check shrink the first request
 * of each distinct finding, replayed by its index.
 */
export async function runCampaign(
  routes: FuzzRoute[],
  urls: AppUrls,
  healthUrls: string[],
  ctx: SendContext,
  control: ControlWrites,
  options: CampaignOptions,
): Promise<CampaignResult> {
  const arbitrary = fuzzRequest(routes, options.bodyLimit);
  const statusesByRoute: Record<string, Record<string, number>> = {};
  const findings: Finding[] = [];
  let unsendable = 0;
  let index = 0;
  const pool = new Pool(options.concurrency);
  const health = new HealthProbe(healthUrls, options.healthDeadlineMs, 250);
  const started = performance.now();
  health.start();
  let healthReport: HealthReport;
  try {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (request) => {
        const at = index++;
        if (at % options.controlEvery === 0) control.enqueue();
        await pool.submit(async () => {
          const answer = await send(urlOf(request, urls), materialize(request, ctx), options.hangMs);
          if (answer.error?.startsWith(UNSENDABLE)) unsendable++;
          const tally = (statusesByRoute[request.route] ??= {});
          const status = answer.status ? String(answer.status) : 'none';
          tally[status] = (tally[status] ?? 0) + 1;
          const problem = problemOf(answer);
          if (problem) findings.push({ index: at, request, answer, problem });
          if (options.logFile)
            appendFileSync(options.logFile, `${JSON.stringify({ at, request, status: answer.status, answer: answer.body.slice(0, 300) }).slice(0, 3000)}\n`);
        });
      }),
      { seed: options.seed, numRuns: options.requests },
    );
    await pool.drain();
    // A last few control writes behind every hostile one, so a partition a hostile event stalled shows as missing writes.
    for (let i = 0; i < 15; i++) control.enqueue();
    await control.settle();
  } finally {
    // Also when the generator itself throws: no probe timer or request may outlive the test.
    await pool.drain();
    healthReport = await health.stop();
  }
  const elapsedMs = performance.now() - started;
  const shrunk = await shrinkFindings(arbitrary, findings, urls, ctx, options);
  return { sent: index, unsendable, elapsedMs, statusesByRoute, findings, shrunk, health: healthReport };
}

async function shrinkFindings(
  arbitrary: fc.Arbitrary<FuzzRequest>,
  findings: Finding[],
  urls: AppUrls,
  ctx: SendContext,
  options: CampaignOptions,
): Promise<Shrunk[]> {
  const firsts = new Map<string, Finding>();
  for (const finding of [...findings].sort((a, b) => a.index - b.index)) {
    const group = groupOf(finding.request, finding.answer, finding.problem);
    if (!firsts.has(group)) firsts.set(group, finding);
  }
  const shrunk: Shrunk[] = [];
  for (const [group, first] of [...firsts].slice(0, options.shrinkGroups)) {
    let last: { request: FuzzRequest; answer: Answer } | undefined;
    const details = await fc.check(
      fc.asyncProperty(arbitrary, async (request) => {
        const answer = await send(urlOf(request, urls), materialize(request, ctx), options.hangMs);
        const problem = problemOf(answer);
        // Shrink towards the same bug, not whichever other one a smaller request hits.
        if (!problem || groupOf(request, answer, problem).split(' → ')[1] !== group.split(' → ')[1]) return true;
        last = { request, answer };
        return false;
      }),
      { seed: options.seed, path: String(first.index), plugins: [fc.interruptAfterTimeLimit(options.shrinkMs)] },
    );
    shrunk.push({ group, reproduced: details.failed, numShrinks: details.numShrinks, ...last });
  }
  return shrunk;
}

/** The failure report: seed, every distinct finding with a reproducer, shrunk counterexamples. */
export function formatFindings(result: CampaignResult, seed: number, ctx: SendContext, urls: AppUrls): string {
  const placeholders: SendContext = { ...ctx, tokens: Object.fromEntries(Object.keys(ctx.tokens).map((name) => [name, `$TOKEN_${name.toUpperCase()}`])) };
  const groups = new Map<string, Finding[]>();
  for (const finding of result.findings) {
    const group = groupOf(finding.request, finding.answer, finding.problem);
    groups.set(group, [...(groups.get(group) ?? []), finding]);
  }
  const lines = [`fuzz seed ${seed}: ${result.findings.length} bad answers in ${groups.size} groups (replay: FUZZ_SEED=${seed} npm run fuzz)`];
  for (const [group, list] of groups) {
    const first = list[0];
    lines.push(`\n● ${group} — ${list.length}×, first at request #${first.index} (fast-check path "${first.index}")`);
    lines.push(`  ${describeRequest(first.request, placeholders, urlOf(first.request, urls))}`);
    lines.push(`  body recipe: ${JSON.stringify(first.request.body).slice(0, 300)}`);
    lines.push(`  answer: ${first.answer.status || first.answer.error} ${first.answer.body.slice(0, 300)}`);
    const small = result.shrunk.find((s) => s.group === group);
    if (small?.request && small.answer) {
      lines.push(`  shrunk (${small.numShrinks} shrinks): ${describeRequest(small.request, placeholders, urlOf(small.request, urls))}`);
      lines.push(`  shrunk body recipe: ${JSON.stringify(small.request.body).slice(0, 300)}`);
      lines.push(`  shrunk answer: ${small.answer.status || small.answer.error} ${small.answer.body.slice(0, 300)}`);
    } else if (small) {
      lines.push('  replay did not reproduce it (depends on timing or state)');
    }
  }
  return lines.join('\n');
}
