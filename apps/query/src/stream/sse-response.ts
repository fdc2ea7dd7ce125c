import { ServerResponse } from 'node:http';
import { StreamEventName, StreamSink } from './run-poller';

/**
 * Unsent bytes past which a client is cut off: a reader that stopped reading (a laptop asleep,
 * a half-open connection) would otherwise have every event and heartbeat buffered for it for
 * good. It reconnects with Last-Event-ID and misses nothing (docs/change-feed.md).
 */
export const MAX_UNSENT_BYTES = 1024 * 1024;

/**
 * Writes Server-Sent Events on a hijacked Fastify reply's raw response: a comment every
 * heartbeatMs keeps proxies from closing a quiet stream, and the socket's idle timeout is
 * lifted (the server's connection timeout is meant for requests, not streams); a client that
 * falls MAX_UNSENT_BYTES behind is disconnected instead.
 */
export class SseResponse implements StreamSink {
  private readonly heartbeat: NodeJS.Timeout;
  private ended = false;

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
    this.heartbeat = setInterval(() => this.write(': keepalive\n\n'), heartbeatMs);
    raw.on('close', () => this.closed());
  }

  send(id: string, event: StreamEventName, data: unknown): void {
    this.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  end(): void {
    if (!this.ended) this.raw.end();
    this.closed();
  }

  private write(chunk: string): void {
    if (this.ended) return;
    if (this.raw.writableLength > MAX_UNSENT_BYTES) {
      this.raw.destroy();
      this.closed();
      return;
    }
    this.raw.write(chunk);
  }

  private closed(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    this.onClose();
  }
}
