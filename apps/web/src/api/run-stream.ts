import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { retryAfterSeconds, sessionHeaders } from './client';

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/**
 * Splits a Server-Sent Events body into events (comment lines, the server's heartbeats, are
 * skipped); `onChunk` hears every chunk, heartbeats included, so a caller can tell a quiet
 * stream from a dead one.
 */
export async function readSse(body: ReadableStream<Uint8Array>, onEvent: (event: SseEvent) => void, onChunk: () => void = () => undefined): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onChunk();
    buffered += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const event: SseEvent = { event: 'message', data: '' };
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon === 0) continue;
        const [field, value] = colon < 0 ? [line, ''] : [line.slice(0, colon), line.slice(colon + 1).replace(/^ /, '')];
        if (field === 'id') event.id = value;
        else if (field === 'event') event.event = value;
        else if (field === 'data') event.data = event.data ? `${event.data}\n${value}` : value;
      }
      if (event.data || event.id) onEvent(event);
    }
  }
}

/** Refetches at most this often while events pour in (a burst of log lines is one refetch). */
const REFRESH_MS = 300;
/** Failed connections in a row before the page leaves the stream to polling. */
const MAX_RECONNECTS = 5;
/**
 * A connection silent this long is taken for dead and resumed: the server sends a heartbeat every
 * 15 s, and a connection whose peer vanished (a laptop's sleep, a NAT's expiry) never ends by itself.
 */
const SILENT_MS = 45_000;
/** Longest Retry-After a 429 or 503 of the stream is waited out. */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Follows a live run through its event stream (GET /api/v1/runs/:id/stream, docs/change-feed.md):
 * each event the server sends (a log line, a sample, a status change) refetches the run, so the
 * page is current within the server's stream poll (QUERY_STREAM_POLL_MS) instead of the 3 s of
 * plain polling. Read with fetch (EventSource cannot send the Authorization header); reconnects
 * with Last-Event-ID. `onConnected` says whether the stream is up: while it is not (refused, cut,
 * too many open), the page polls as before.
 */
export function useRunStream(runId: string, active: boolean, onConnected: (connected: boolean) => void): void {
  const client = useQueryClient();
  useEffect(() => {
    if (!active) return;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        // A refresh still under way is left to finish: cancelling it at every burst would let none land on a slow server.
        void client.invalidateQueries({ queryKey: ['elt-run', runId] }, { cancelRefetch: false });
      }, REFRESH_MS);
    };
    void (async () => {
      let lastId: string | undefined;
      let failures = 0;
      while (failures < MAX_RECONNECTS && !abort.signal.aborted) {
        let ended = false;
        // This connection's own signal: the page's, or silence for SILENT_MS.
        const connection = new AbortController();
        const cut = () => connection.abort();
        abort.signal.addEventListener('abort', cut);
        let silence = setTimeout(cut, SILENT_MS);
        const heard = () => {
          clearTimeout(silence);
          silence = setTimeout(cut, SILENT_MS);
        };
        let waitMs = 1_000 * (failures + 1);
        try {
          const response = await fetch(`/api/v1/runs/${encodeURIComponent(runId)}/stream`, { headers: streamHeaders(lastId), signal: connection.signal });
          if (response.status === 429 || response.status === 503) {
            // Too many streams open, or the server busy: wait as asked, polling meanwhile.
            failures += 1;
            waitMs = retryAfterMs(response.headers.get('retry-after')) ?? waitMs;
          } else if (!response.ok || !response.body) {
            // 401, 404, 406: no stream for this page; polling carries on.
            break;
          } else {
            failures = 0;
            onConnected(true);
            await readSse(
              response.body,
              (event) => {
                if (event.id) lastId = event.id;
                if (event.event === 'end') ended = true;
                refresh();
              },
              heard,
            );
          }
        } catch {
          if (abort.signal.aborted) return;
          failures += 1;
        } finally {
          clearTimeout(silence);
          abort.signal.removeEventListener('abort', cut);
        }
        onConnected(false);
        if (ended) return;
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
      onConnected(false);
    })();
    return () => {
      abort.abort();
      clearTimeout(timer);
      onConnected(false);
    };
  }, [runId, active, client, onConnected]);
}

/** Retry-After in ms (seconds form), at most MAX_RETRY_AFTER_MS; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null): number | undefined {
  const seconds = retryAfterSeconds(header);
  return seconds === undefined ? undefined : Math.min(seconds * 1_000, MAX_RETRY_AFTER_MS);
}

function streamHeaders(lastId: string | undefined): Record<string, string> {
  return { accept: 'text/event-stream', ...sessionHeaders(), ...(lastId ? { 'last-event-id': lastId } : {}) };
}
