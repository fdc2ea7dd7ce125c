/**
 * Issue 15: freshness of the change feed and of the live run stream, PATCH to the client's
 * hands, under the steady load of section 3 and beside section 3's polling on the same run.
 * Runs the whole system as `npm start` does (embedded chDB, the apps in one process).
 */
import { Runstream } from '@runstream/sdk';
import { BenchContext } from './context';
import { RATE, startLocalSystem, steadyPatchLoad } from './freshness';
import { createRuns, Load } from './ingest';
import { percentile } from './support';

const PROBE_GAP_MS = 200;
/** Section 3's read-API polling interval: the baseline. */
const POLL_MS = 25;
/** The feed follower's wait once caught up (the SDK's pollIntervalMs; its default is 2 s). */
const FEED_IDLE_MS = 100;
const FEED_LIMIT = 500;
/** The query app's stream poller (QUERY_STREAM_POLL_MS), left at its default. */
const STREAM_POLL_MS = 250;
const PROBE_TIMEOUT_MS = 15_000;

interface Latencies {
  p50: number;
  p95: number;
  max: number;
}

export interface FeedResult {
  probes: number;
  /** `GET /api/elt/runs/:id` every POLL_MS until the new value shows (section 3's measure). */
  polling: Latencies;
  /** A change-feed follower (SDK `changes()`, FEED_IDLE_MS between requests once caught up). */
  feed: Latencies;
  /** An open `GET /api/v1/runs/:id/stream`, the `run` event carrying the new value. */
  stream: Latencies;
  /** Probes a path had not delivered within PROBE_TIMEOUT_MS (counted at the timeout). */
  late: { polling: number; feed: number; stream: number };
  load: Load;
  rssMb: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function latencies(values: number[]): Latencies {
  return { p50: Math.round(percentile(values, 0.5)), p95: Math.round(percentile(values, 0.95)), max: Math.round(Math.max(...values)) };
}

/** Times (performance.now()) at which each path delivered something new for the probe run. */
class Arrivals {
  readonly at: number[] = [];
  /** Resolves with the first arrival after index `from`, or the timeout as the latency's end. */
  async after(from: number, sentAt: number): Promise<{ at: number; late: boolean }> {
    while (this.at.length <= from) {
      if (performance.now() - sentAt > PROBE_TIMEOUT_MS) return { at: performance.now(), late: true };
      await sleep(2);
    }
    return { at: this.at[from], late: false };
  }
}

/** Follows the project's change feed from its start, as an exporter does; notes each change of `runId`. */
async function followFeed(queryUrl: string, token: string, projectId: string, runId: string, arrivals: Arrivals, signal: AbortSignal): Promise<void> {
  const client = new Runstream({ queryUrl, token });
  for await (const page of client.changes({ projectId, follow: true, pollIntervalMs: FEED_IDLE_MS, limit: FEED_LIMIT, signal })) {
    const now = performance.now();
    for (const change of page.changes) if (change.type === 'run' && change.run.id === runId) arrivals.at.push(now);
  }
}

/** Reads the run's SSE stream; notes the arrival of each `run` event, by the telemetry probe it carries. */
async function followStream(queryUrl: string, token: string, runId: string, arrivals: Map<number, number>, signal: AbortSignal): Promise<void> {
  const response = await fetch(`${queryUrl}/api/v1/runs/${runId}/stream`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal,
  });
  if (response.status !== 200 || !response.body) throw new Error(`stream answered ${response.status}: ${await response.text()}`);
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of response.body) {
      const now = performance.now();
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const lines = buffer.slice(0, end).split('\n');
        buffer = buffer.slice(end + 2);
        if (!lines.includes('event: run')) continue;
        const data = lines.find((line) => line.startsWith('data: '));
        const probe = data ? (JSON.parse(data.slice(6)) as { telemetry_summary?: { probe?: number } }).telemetry_summary?.probe : undefined;
        if (typeof probe === 'number' && !arrivals.has(probe)) arrivals.set(probe, now);
      }
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}

async function polledUntil(
  queryUrl: string,
  headers: Record<string, string>,
  runId: string,
  probe: number,
  sentAt: number,
): Promise<{ at: number; late: boolean }> {
  for (;;) {
    const response = await fetch(`${queryUrl}/api/elt/runs/${runId}`, { headers });
    if (response.ok) {
      const run = (await response.json()) as { telemetry: { summary: { probe?: number } } };
      if (run.telemetry.summary.probe === probe) return { at: performance.now(), late: false };
    }
    if (performance.now() - sentAt > PROBE_TIMEOUT_MS) return { at: performance.now(), late: true };
    await sleep(POLL_MS);
  }
}

async function readable(queryUrl: string, headers: Record<string, string>, runId: string): Promise<void> {
  const giveUpAt = Date.now() + PROBE_TIMEOUT_MS;
  while (!(await fetch(`${queryUrl}/api/elt/runs/${runId}`, { headers })).ok) {
    if (Date.now() > giveUpAt) throw new Error(`run ${runId} not in the read model after ${PROBE_TIMEOUT_MS} ms`);
    await sleep(POLL_MS);
  }
}

async function streamed(arrivals: Map<number, number>, probe: number, sentAt: number): Promise<{ at: number; late: boolean }> {
  while (!arrivals.has(probe)) {
    if (performance.now() - sentAt > PROBE_TIMEOUT_MS) return { at: performance.now(), late: true };
    await sleep(2);
  }
  return { at: arrivals.get(probe) as number, late: false };
}

export async function benchFeed(ctx: BenchContext): Promise<FeedResult> {
  const seconds = ctx.quick ? 15 : 45;
  const { ingestUrl, queryUrl, token, ...system } = await startLocalSystem(ctx, 'feed', {
    KAFKA_TOPIC_PREFIX: 'feedbench.',
    QUERY_STREAM_POLL_MS: String(STREAM_POLL_MS),
  });
  const stop = new AbortController();
  try {
    const headers = { authorization: `Bearer ${token}` };
    // The probe run has a project of its own: the exporter follows that project's feed while the load's project is busy.
    const projectId = 'proj_feed';
    const loadRuns = await createRuns(ingestUrl, headers, 200, 'proj_feed_load');
    const [probeRun] = await createRuns(ingestUrl, headers, 1, projectId);
    const feedArrivals = new Arrivals();
    const streamArrivals = new Map<number, number>();
    // The stream opens on a run already in the read model; the follower reads the feed from its start, the run's creation included.
    await readable(queryUrl, headers, probeRun);
    const following = followFeed(queryUrl, token, projectId, probeRun, feedArrivals, stop.signal);
    const streaming = followStream(queryUrl, token, probeRun, streamArrivals, stop.signal);
    await feedArrivals.after(0, performance.now());
    const background = steadyPatchLoad(ingestUrl, headers, loadRuns, seconds);
    const deadline = Date.now() + (seconds - 2) * 1000;
    await sleep(2000);
    const measured = { polling: [] as number[], feed: [] as number[], stream: [] as number[] };
    const late = { polling: 0, feed: 0, stream: 0 };
    for (let probe = 1; Date.now() < deadline; probe += 1) {
      const fromFeed = feedArrivals.at.length;
      const sent = performance.now();
      const response = await fetch(`${ingestUrl}/api/elt/runs/${probeRun}`, {
        method: 'PATCH',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ telemetrySummary: { probe } }),
      });
      if (!response.ok) throw new Error(`probe PATCH answered ${response.status}: ${await response.text()}`);
      const [polled, fed, pushed] = await Promise.all([
        polledUntil(queryUrl, headers, probeRun, probe, sent),
        feedArrivals.after(fromFeed, sent),
        streamed(streamArrivals, probe, sent),
      ]);
      for (const [name, outcome] of [
        ['polling', polled],
        ['feed', fed],
        ['stream', pushed],
      ] as const) {
        measured[name].push(outcome.at - sent);
        if (outcome.late) late[name] += 1;
      }
      await sleep(PROBE_GAP_MS);
    }
    const loaded = await background;
    const rssMb = system.peakRssMb();
    stop.abort();
    await Promise.allSettled([following, streaming]);
    return {
      probes: measured.polling.length,
      polling: latencies(measured.polling),
      feed: latencies(measured.feed),
      stream: latencies(measured.stream),
      late,
      load: loaded,
      rssMb,
    };
  } finally {
    stop.abort();
    await system.stop();
  }
}

const ratio = (value: number, baseline: number): string => (baseline > 0 ? `${(value / baseline).toFixed(2)}×` : '–');

export function feedReport(f: FeedResult): string {
  const row = (name: string, l: Latencies, lateCount: number) =>
    `| ${name} | ${l.p50} | ${l.p95} | ${l.max} | ${ratio(l.p50, f.polling.p50)} | ${ratio(l.p95, f.polling.p95)} | ${lateCount} |`;
  return `## Change feed and live run stream: PATCH to the client's hands (issue 15)

Section 3's setup (the whole system as \`npm start\` runs it, one process on embedded chDB, under a steady
${RATE.toLocaleString('en')} PATCHes/s; achieved: ${f.load.rps} req/s, ${f.load.non2xx + f.load.errors} non-2xx or errors, p99 ${f.load.p99} ms). Every ${PROBE_GAP_MS} ms a probe
PATCHes one run's \`telemetrySummary.probe\` to a new value, and three clients of the read API wait for it at once:
section 3's polling of \`GET /api/elt/runs/:id\` every ${POLL_MS} ms (the baseline, same run, same moment); an exporter following the
run's project's change feed with the SDK's \`changes()\` (${FEED_LIMIT} changes a page, ${FEED_IDLE_MS} ms between requests once caught up;
the load's 200 runs are in another project); and an open SSE stream of the run
(\`GET /api/v1/runs/:id/stream\`, \`QUERY_STREAM_POLL_MS=${STREAM_POLL_MS}\`, the default), its \`run\` event. Times from sending the PATCH.

| path | p50 ms | p95 ms | max ms | p50 / polling | p95 / polling | later than ${PROBE_TIMEOUT_MS / 1000} s |
|---|---|---|---|---|---|---|
${row(`polling every ${POLL_MS} ms (baseline)`, f.polling, f.late.polling)}
${row('change feed', f.feed, f.late.feed)}
${row('live run stream', f.stream, f.late.stream)}

${f.probes} probes. Peak RSS of the process: ${f.rssMb} MB. All three wait for the same thing, the materializer's flush (the feed
for its watermark, written after the flush's rows); on top of it the feed adds up to its ${FEED_IDLE_MS} ms wait between requests, the
stream up to its ${STREAM_POLL_MS} ms poll, and the baseline up to ${POLL_MS} ms. An exporter on the SDK's default \`pollIntervalMs\` (2 s)
would add up to 2 s; an exporter of a busy project also reads that project's other changes on the way.
`;
}
