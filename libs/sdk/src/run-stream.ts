import { createParser, EventSourceMessage } from 'eventsource-parser';
import { abortableSleep } from './abortable-sleep';
import { errorFor } from './errors';
import { JobRun } from './models';
import { Transport } from './transport';

/** The events of `GET /api/v1/runs/:id/stream` (docs/change-feed.md, "Live run stream"); `id` resumes after it. */
export type RunStreamEvent =
  | { id: string; event: 'run'; data: JobRun & { telemetry_summary: Record<string, unknown> } }
  | { id: string; event: 'log'; data: { seq: number; at: string; level: string; message: string } }
  | { id: string; event: 'sample'; data: Record<string, unknown> & { seq: number; at: string } }
  | { id: string; event: 'end'; data: { status: string } };

export interface RunStreamOptions {
  /** Resume after this event (an `id` you kept); none starts with the run's whole log and samples. */
  lastEventId?: string;
  signal?: AbortSignal;
  /** A connection silent this long (no event, no heartbeat) is resumed on a new one (default 45 s; the server's heartbeat is 15 s). */
  silentConnectionMs?: number;
  /** How long 404 is taken for a run not readable yet (default 10 s; see NOT_FOUND_GRACE_MS); 0 throws at the first 404. */
  notFoundGraceMs?: number;
}

/** The server's reconnect wait until it says otherwise (its `retry:` field). */
const DEFAULT_RETRY_MS = 1_000;
/**
 * A connection silent this long is taken for dead and resumed: the server sends a comment every
 * 15 s, and a connection whose peer vanished (a NAT's expiry, a host gone) never ends by itself.
 */
const SILENT_CONNECTION_MS = 45_000;

/**
 * Follows one run live until its `end` event: every event once, in order, as an EventSource
 * would. A connection that drops, or stays silent past SILENT_CONNECTION_MS (heartbeats
 * included), is resumed from the last event's id after the server's `retry:` wait. As an
 * EventSource does, it keeps reconnecting until `signal` aborts: 429 and 503 after their
 * Retry-After, network failures after the `retry:` wait doubled per failure in a row (capped by
 * maxWaitMs), so a server's restart does not end it; other answers throw the typed
 * RunstreamError (404: no such run, once NOT_FOUND_GRACE_MS passed without a first event; 401:
 * the token was revoked, which also ends an open stream).
 */
export async function* streamRun(transport: Transport, runId: string, options: RunStreamOptions = {}): AsyncGenerator<RunStreamEvent> {
  const { signal } = options;
  const url = `${transport.config.queryUrl ?? ''}/api/v1/runs/${encodeURIComponent(runId)}/stream`;
  const maxWaitMs = transport.config.maxWaitMs ?? 60_000;
  let lastEventId = options.lastEventId;
  let retryMs = DEFAULT_RETRY_MS;
  let failures = 0;
  const started = Date.now();
  while (!signal?.aborted) {
    let response: Response;
    // This connection's own signal: the caller's, or silence for SILENT_CONNECTION_MS.
    const connection = new SilenceWatch(options.silentConnectionMs ?? SILENT_CONNECTION_MS, signal);
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${transport.config.token}`, accept: 'text/event-stream' };
      if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
      response = await transport.fetch(url, { headers, signal: connection.signal });
    } catch (error) {
      connection.close();
      if (signal?.aborted) return;
      failures += 1;
      await abortableSleep(Math.min(retryMs * 2 ** (failures - 1), maxWaitMs), signal);
      continue;
    }
    if (!response.ok || !response.body) {
      connection.close();
      const error = errorFor(response.status, await response.json().catch(() => undefined), response.headers.get('retry-after'));
      const graceMs = options.notFoundGraceMs ?? NOT_FOUND_GRACE_MS;
      if (!error.retryable && !(response.status === 404 && notFoundIsEarly(started, graceMs, lastEventId))) throw error;
      failures += 1;
      await abortableSleep(transport.waitFor(error, failures), signal);
      continue;
    }
    if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
      connection.close();
      await response.body.cancel().catch(() => undefined);
      // Not the stream (a proxy's page, another service): reconnecting would only get it again.
      throw errorFor(response.status, { message: `expected text/event-stream, got ${response.headers.get('content-type') ?? 'no content type'}` }, null);
    }
    failures = 0;
    try {
      for await (const message of messagesOf(
        response.body,
        (ms) => (retryMs = ms),
        () => connection.heard(),
      )) {
        const event = { id: message.id ?? '', event: message.event, data: JSON.parse(message.data) as unknown } as RunStreamEvent;
        if (message.id !== undefined) lastEventId = message.id;
        yield event;
        if (event.event === 'end') return;
      }
    } finally {
      connection.close();
    }
    // The connection ended before the run did (a restart, a proxy's timeout): resume after the last event.
    await abortableSleep(retryMs, signal);
  }
}

/**
 * How long a 404 is taken for a run not readable yet rather than no run: one created a moment ago
 * answers 404 for a few hundred milliseconds (its events go through Kafka first), and a run whose
 * events were streamed answers it while a rebuild refills the tables.
 */
const NOT_FOUND_GRACE_MS = 10_000;

/** Whether a 404 is worth asking again: within the grace of the first connection, or for a run already streamed. */
function notFoundIsEarly(started: number, graceMs: number, lastEventId: string | undefined): boolean {
  return (graceMs > 0 && lastEventId !== undefined) || Date.now() - started < graceMs;
}

/** Aborts its signal when the caller's aborts or when nothing was heard for `silentMs`. */
class SilenceWatch {
  private readonly controller = new AbortController();
  private timer?: NodeJS.Timeout;
  private readonly onCallerAbort = (): void => this.controller.abort();

  constructor(
    private readonly silentMs: number,
    private readonly caller?: AbortSignal,
  ) {
    caller?.addEventListener('abort', this.onCallerAbort, { once: true });
    if (caller?.aborted) this.controller.abort();
    this.heard();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  heard(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.controller.abort(), this.silentMs);
  }

  close(): void {
    clearTimeout(this.timer);
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }
}

/** The messages of one SSE response, until it ends or fails; the body is released when the caller stops early. */
async function* messagesOf(body: ReadableStream<Uint8Array>, onRetry: (ms: number) => void, onBytes: () => void): AsyncGenerator<EventSourceMessage> {
  const received: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => received.push(message), onRetry });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      onBytes();
      parser.feed(decoder.decode(value, { stream: true }));
      while (received.length > 0) yield received.shift() as EventSourceMessage;
    }
  } catch {
    // A read that failed is a dropped connection, resumed by the caller.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
