import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { NotFoundError, Runstream, RunStreamEvent } from '../src';

/** A local SSE server: `answer` writes each connection's response; every request's headers are kept. */
async function sseServer(answer: (request: IncomingMessage, response: ServerResponse, index: number) => void) {
  const requests: IncomingMessage[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request);
    answer(request, response, requests.length - 1);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url, requests, close };
}

const frame = (id: string, event: string, data: unknown) => `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

describe('SDK streamRun', () => {
  it('yields every event once, in order, resuming a dropped connection from the last event id', async () => {
    const server = await sseServer((_request, response, index) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('retry: 20\n\n: keepalive\n\n');
      if (index === 0) {
        // Split mid-frame, then dropped before the run ends.
        const first = frame('0:0:0:0', 'log', { seq: 0, message: 'one' }) + frame('0:1:0:0', 'log', { seq: 1, message: 'two' });
        response.write(first.slice(0, 30));
        setTimeout(() => response.end(first.slice(30)), 20);
      } else {
        response.write(frame('5:1:0:0', 'run', { id: 'run_a', status: 'success' }));
        response.end(frame('5:1:0:0', 'end', { status: 'success' }));
      }
    });
    try {
      const client = new Runstream({ queryUrl: server.url, token: 'tok' });
      const events: RunStreamEvent[] = [];
      for await (const event of client.streamRun('run_a')) events.push(event);
      expect(events.map((e) => [e.event, e.id])).toEqual([
        ['log', '0:0:0:0'],
        ['log', '0:1:0:0'],
        ['run', '5:1:0:0'],
        ['end', '5:1:0:0'],
      ]);
      expect(events[1].data).toEqual({ seq: 1, message: 'two' });
      expect(server.requests.map((r) => [r.url, r.headers.accept, r.headers['last-event-id'], r.headers.authorization])).toEqual([
        ['/api/v1/runs/run_a/stream', 'text/event-stream', undefined, 'Bearer tok'],
        ['/api/v1/runs/run_a/stream', 'text/event-stream', '0:1:0:0', 'Bearer tok'],
      ]);
    } finally {
      await server.close();
    }
  });

  it('waits out a 429 (Retry-After), and throws the typed error for a run that is not there', async () => {
    const server = await sseServer((request, response, index) => {
      if (request.url?.includes('missing'))
        return response.writeHead(404, { 'content-type': 'application/json' }).end('{"statusCode":404,"message":"run missing not found"}');
      if (index === 0) return response.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' }).end('{"statusCode":429}');
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(frame('1:0:0:0', 'end', { status: 'failed' }));
    });
    try {
      const client = new Runstream({ queryUrl: server.url, token: 'tok' });
      const events: RunStreamEvent[] = [];
      for await (const event of client.streamRun('run_b', { lastEventId: '0:0:0:0' })) events.push(event);
      expect(events).toEqual([{ id: '1:0:0:0', event: 'end', data: { status: 'failed' } }]);
      expect(server.requests[1].headers['last-event-id']).toBe('0:0:0:0');
      await expect(client.streamRun('missing', { notFoundGraceMs: 0 }).next()).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.streamRun('missing', { notFoundGraceMs: 300 }).next()).rejects.toBeInstanceOf(NotFoundError);
    } finally {
      await server.close();
    }
  });

  it('asks again while a run created a moment ago still answers 404, and streams it once it is readable', async () => {
    const server = await sseServer((_request, response, index) => {
      if (index < 2) return response.writeHead(404, { 'content-type': 'application/json' }).end('{"statusCode":404,"message":"run new not found"}');
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(frame('1:0:0:0', 'end', { status: 'success' }));
    });
    try {
      const client = new Runstream({ queryUrl: server.url, token: 'tok', backoffMs: 1 });
      const events: RunStreamEvent[] = [];
      for await (const event of client.streamRun('run_new')) events.push(event);
      expect(events).toEqual([{ id: '1:0:0:0', event: 'end', data: { status: 'success' } }]);
      expect(server.requests).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('keeps reconnecting past maxAttempts while the server is away (a restart), as an EventSource does', async () => {
    const server = await sseServer((_request, response, index) => {
      // Six connections in a row cut before any answer, then the stream.
      if (index < 6) return response.destroy();
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(frame('1:0:0:0', 'end', { status: 'success' }));
    });
    try {
      const client = new Runstream({ queryUrl: server.url, token: 'tok', maxAttempts: 2, maxWaitMs: 20 });
      const events: RunStreamEvent[] = [];
      for await (const event of client.streamRun('run_r')) events.push(event);
      expect(events.map((event) => event.event)).toEqual(['end']);
      expect(server.requests).toHaveLength(7);
    } finally {
      await server.close();
    }
  });

  it('stops when its signal aborts, and releases the connection when the caller stops early', async () => {
    let closed = 0;
    const server = await sseServer((_request, response) => {
      response.on('close', () => (closed += 1));
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(frame('0:0:0:0', 'log', { seq: 0 }));
    });
    try {
      const client = new Runstream({ queryUrl: server.url, token: 'tok' });
      for await (const event of client.streamRun('run_c')) {
        expect(event.event).toBe('log');
        break;
      }
      const controller = new AbortController();
      const seen: string[] = [];
      const following = (async () => {
        for await (const event of client.streamRun('run_c', { signal: controller.signal })) seen.push(event.id);
      })();
      await new Promise((resolve) => setTimeout(resolve, 100));
      controller.abort();
      await following;
      expect(seen).toEqual(['0:0:0:0']);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(closed).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('resumes a connection gone silent (no heartbeat either), and refuses an answer that is not an event stream', async () => {
    const server = await sseServer((request, response, index) => {
      if (request.url?.includes('html')) return response.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      // The first connection goes quiet for good after one event, as one whose peer vanished would.
      if (index === 0) return response.write(frame('0:0:0:0', 'log', { seq: 0 }));
      response.end(frame('0:0:0:0', 'end', { status: 'success' }));
    });
    try {
      const client = new Runstream({ queryUrl: server.url, token: 'tok' });
      const events: RunStreamEvent[] = [];
      for await (const event of client.streamRun('run_d', { silentConnectionMs: 100 })) events.push(event);
      expect(events.map((e) => e.event)).toEqual(['log', 'end']);
      expect(server.requests[1].headers['last-event-id']).toBe('0:0:0:0');
      await expect(client.streamRun('html').next()).rejects.toThrow('expected text/event-stream, got text/html');
    } finally {
      await server.close();
    }
  });
});
