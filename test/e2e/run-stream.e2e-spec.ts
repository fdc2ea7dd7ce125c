import { eventually, http } from '@runstream/testing';
import { bearer, startStack, Stack } from '../support/stack';

interface SseEvent {
  id?: string;
  event: string;
  data: Record<string, unknown>;
  receivedAt: number;
}

/** Reads a text/event-stream response into `events` (which the caller may watch) until `until` says stop or the stream ends. */
async function readEvents(
  url: string,
  headers: Record<string, string>,
  until: (events: SseEvent[]) => boolean = () => false,
  events: SseEvent[] = [],
): Promise<SseEvent[]> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  if (response.status !== 200 || !response.body) throw new Error(`stream answered ${response.status}: ${await response.text()}`);
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return events;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = new Map(
          frame
            .split('\n')
            .filter((l) => l && !l.startsWith(':'))
            .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
        );
        if (!fields.has('data')) continue;
        events.push({
          id: fields.get('id'),
          event: fields.get('event') ?? 'message',
          data: JSON.parse(fields.get('data') as string) as Record<string, unknown>,
          receivedAt: Date.now(),
        });
        if (until(events)) return events;
      }
    }
  } finally {
    controller.abort();
  }
}

const logsOf = (events: SseEvent[]) => events.filter((e) => e.event === 'log').map((e) => e.data.message);
const samplesOf = (events: SseEvent[]) => events.filter((e) => e.event === 'sample').map((e) => e.data.step);

describe('live run stream (SSE)', () => {
  let stack: Stack;
  let user: Record<string, string>;
  const projectId = 'proj_stream';

  const write = (method: string, path: string, body: unknown) => http<{ id: string }>(method, `${stack.ingestUrl}${path}`, body, user);
  const streamUrl = (runId: string) => `${stack.queryUrl}/api/v1/runs/${runId}/stream`;
  const sse = { accept: 'text/event-stream' };
  /** A stream opens on a materialized run (before that the run is 404, as everywhere in the read API). */
  const createRun = async () => {
    const runId = (await write('POST', '/api/elt/runs', { projectId, jobName: 'streamed' })).body.id;
    await eventually(async () => ((await http('GET', `${stack.queryUrl}/api/v1/runs/${runId}`, undefined, user)).status === 200 ? true : undefined), 'the run');
    return runId;
  };
  const step = (runId: string, i: number) =>
    write('PATCH', `/api/elt/runs/${runId}`, { status: 'running', appendLog: { level: 'info', message: `line ${i}` }, appendTelemetrySample: { step: i } });

  beforeAll(async () => {
    stack = await startStack('run-stream', { QUERY_STREAM_MAX_PER_TOKEN: '3', QUERY_STREAM_POLL_MS: '100' });
    user = bearer(stack.tokens.user);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('delivers every log line and sample in order, the status changes, and ends after the terminal status', async () => {
    const runId = await createRun();
    const seen: SseEvent[] = [];
    const reading = readEvents(streamUrl(runId), user, undefined, seen);
    const writtenAt: number[] = [];
    for (let i = 0; i < 40; i++) {
      writtenAt.push(Date.now());
      await step(runId, i);
    }
    // The stream sends the run's row as each poll finds it (states between two polls are not
    // replayed), so the run stays running until the stream has shown it so.
    await eventually(async () => (seen.some((e) => e.event === 'run' && e.data.status === 'running') ? true : undefined), 'the stream to show the run running');
    await write('PATCH', `/api/elt/runs/${runId}`, { status: 'succeeded' });
    const events = await reading;
    expect(logsOf(events)).toEqual(Array.from({ length: 40 }, (_, i) => `line ${i}`));
    expect(samplesOf(events)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const statuses = events.filter((e) => e.event === 'run').map((e) => e.data.status);
    expect(statuses[statuses.length - 1]).toBe('success');
    expect(statuses).toContain('running');
    expect(events[events.length - 1].event).toBe('end');
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length - 1); // `end` repeats the last position
    const lag = events.filter((e) => e.event === 'log').map((e, i) => e.receivedAt - writtenAt[i]);
    lag.sort((a, b) => a - b);
    console.log(
      `stream freshness (write accepted → event received), ${lag.length} lines: p50 ${lag[Math.floor(lag.length / 2)]} ms, p95 ${lag[Math.floor(lag.length * 0.95)]} ms`,
    );
  });

  it('resumes after a disconnect from Last-Event-ID without loss or duplicates', async () => {
    const runId = await createRun();
    for (let i = 0; i < 20; i++) await step(runId, i);
    const first = await readEvents(streamUrl(runId), user, (events) => logsOf(events).length >= 12);
    for (let i = 20; i < 40; i++) await step(runId, i);
    await write('PATCH', `/api/elt/runs/${runId}`, { status: 'failed' });
    const lastId = first[first.length - 1].id as string;
    const rest = await readEvents(streamUrl(runId), { ...user, 'last-event-id': lastId });
    const all = [...first, ...rest];
    expect(logsOf(all)).toEqual(Array.from({ length: 40 }, (_, i) => `line ${i}`));
    expect(samplesOf(all)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(rest[rest.length - 1]).toMatchObject({ event: 'end', data: { status: 'failed' } });
    // Resuming from the very end sends nothing new but the end.
    const again = await readEvents(streamUrl(runId), { ...user, 'last-event-id': rest[rest.length - 1].id as string });
    expect(again.map((e) => e.event)).toEqual(['end']);
  });

  it('refuses a request not asking for a stream (406), a bad Last-Event-ID (400), another organisation (404), and a token past its streams (429 + Retry-After)', async () => {
    const runId = await createRun();
    const notAsked = await fetch(streamUrl(runId), { headers: user });
    expect(notAsked.status).toBe(406);
    expect(await notAsked.text()).toContain('text/event-stream');
    const bad = await fetch(streamUrl(runId), { headers: { ...user, ...sse, 'last-event-id': 'nope' } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Last-Event-ID');
    const foreign = await fetch(streamUrl(runId), { headers: { ...bearer(stack.tokens.otherOrg), ...sse } });
    expect(foreign.status).toBe(404);
    await foreign.text();

    const open = await Promise.all([0, 1, 2].map(() => fetch(streamUrl(runId), { headers: { ...user, ...sse } })));
    expect(open.map((r) => r.status)).toEqual([200, 200, 200]);
    const refused = await fetch(streamUrl(runId), { headers: { ...user, ...sse } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    await refused.text();
    await open[0].body?.cancel();
    let admitted = 0;
    for (let attempt = 0; attempt < 50 && admitted !== 200; attempt++) {
      const retry = await fetch(streamUrl(runId), { headers: { ...user, ...sse } });
      admitted = retry.status;
      if (admitted !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(admitted).toBe(200);
    // The streams still open here are ended by stack.close(): a hanging stream would hang this suite.
  });

  it('ends an open stream once its token is revoked, and refuses a new one (401)', async () => {
    const runId = await createRun();
    const created = await stack.tokenService.create({ orgId: stack.orgId, name: 'revoked-while-streaming', kind: 'user' });
    const revokedUser = bearer(created.token);
    const seen: SseEvent[] = [];
    const reading = readEvents(streamUrl(runId), revokedUser, undefined, seen);
    await eventually(async () => (seen.some((e) => e.event === 'run') ? true : undefined), 'the stream to open');
    expect(await stack.tokenService.revoke(created.id)).toBe(true);
    // The query app's token cache and its stream check each take up to 5 s to see it.
    const events = await reading;
    expect(events.some((e) => e.event === 'end')).toBe(false);
    const refused = await fetch(streamUrl(runId), { headers: { ...revokedUser, ...sse } });
    expect(refused.status).toBe(401);
    await refused.text();
  });
});
