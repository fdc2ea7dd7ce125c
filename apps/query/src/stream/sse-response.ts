import { ServerResponse } from 'node:http';
import { StreamEventName, StreamSink } from './run-poller';

/**
 * Unsent bytes a client may have waiting at a heartbeat without having read any of it since the
 * one before: more, and not shrinking, means it stopped reading (a laptop asleep, a half-open
 * connection), and every event would otherwise be buffered for it for good. It is cut off,
 * reconnects with Last-Event-ID and misses nothing (docs/change-feed.md). A client still
 * draining a large backlog (a busy server, a slow link) is kept while its backlog shrinks.
 */
export const MAX_UNSENT_BYTES = 1024 * 1024;

/**
 * Writes Server-Sent Events on a hijacked Fastify reply's raw response: a comment every
 * heartbeatMs keeps proxies from closing a quiet stream, and the socket's idle timeout is
 * lifted (the server's connection timeout is meant for requests, not streams); a client more
 * than MAX_UNSENT_BYTES behind that read nothing since the last heartbeat is disconnected instead.
 */
export class SseResponse implements StreamSink {
  private readonly heartbeat: NodeJS.Timeout;
  private ended = false;
  /** Unsent bytes at the last heartbeat; none before the first, so the first measures from there. */
  private unsentAtLastBeat = Infinity;

  constructor(
    private readonly raw: ServerResponse,
    heartbeatMs: number,
    reconnectMs: number,
    private readonly onClose: () => void,
  ) {
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.socket?.setTimeout(0);
    raw.write(`retry: ${reconnectMs}\n\n`);
    this.heartbeat = setInterval(() => this.beat(), heartbeatMs);
    raw.on('close', () => this.closed());
  }

  send(id: string, event: StreamEventName, data: unknown): void {
    this.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  end(): void {
    if (!this.ended) this.raw.end();
    this.closed();
  }

  private beat(): void {
    const unsent = this.raw.writableLength;
    if (unsent > MAX_UNSENT_BYTES && unsent >= this.unsentAtLastBeat) {
      this.raw.destroy();
      this.closed();
      return;
    }
    this.unsentAtLastBeat = unsent;
    this.write(': keepalive\n\n');
  }

  private write(chunk: string): void {
    if (!this.ended) this.raw.write(chunk);
  }

  private closed(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    this.onClose();
  }
}
