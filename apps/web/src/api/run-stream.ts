import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { sessionHeaders } from './client';

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** Splits a Server-Sent Events body into events (comment lines, the server's heartbeats, are skipped). */
export async function readSse(body: ReadableStream<Uint8Array>, onEvent: (event: SseEvent) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
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
const MAX_RECONNECTS = 5;

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
        void client.invalidateQueries({ queryKey: ['elt-run', runId] });
      }, REFRESH_MS);
    };
    void (async () => {
      let lastId: string | undefined;
      for (let attempt = 0; attempt < MAX_RECONNECTS && !abort.signal.aborted; attempt += 1) {
        let ended = false;
        try {
          const response = await fetch(`/api/v1/runs/${encodeURIComponent(runId)}/stream`, { headers: streamHeaders(lastId), signal: abort.signal });
          // 401, 404, 406, 429: no stream for this page; polling carries on.
          if (!response.ok || !response.body) break;
          onConnected(true);
          await readSse(response.body, (event) => {
            if (event.id) lastId = event.id;
            if (event.event === 'end') ended = true;
            refresh();
          });
        } catch {
          if (abort.signal.aborted) return;
        }
        onConnected(false);
        if (ended) return;
        await new Promise((resolve) => setTimeout(resolve, 1_000 * (attempt + 1)));
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

function streamHeaders(lastId: string | undefined): Record<string, string> {
  return { accept: 'text/event-stream', ...sessionHeaders(), ...(lastId ? { 'last-event-id': lastId } : {}) };
}
