import { ServerResponse } from 'node:http';
import { StreamEventName, StreamSink } from './run-poller';

/**
 * Writes Server-Sent Events on a hijacked Fastify reply's raw response: a comment every
 * heartbeatMs keeps proxies from closing a quiet stream, and the socket's idle timeout is
 * lifted (the server's connection timeout is meant for requests, not streams).
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
    this.heartbeat = setInterval(() => raw.write(': keepalive\n\n'), heartbeatMs);
    raw.on('close', () => this.closed());
  }

  send(id: string, event: StreamEventName, data: unknown): void {
    if (!this.ended) this.raw.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  end(): void {
    if (!this.ended) this.raw.end();
    this.closed();
  }

  private closed(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    this.onClose();
  }
}
