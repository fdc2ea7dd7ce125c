import { once } from 'node:events';
import { createServer, Server } from 'node:http';
import { AddressInfo, connect, Socket } from 'node:net';
import { MAX_UNSENT_BYTES, SseResponse } from './sse-response';

/** A real local HTTP server whose one response is an SseResponse, and a raw client socket to it. */
async function stream(heartbeatMs = 60_000): Promise<{ server: Server; client: Socket; sse: Promise<SseResponse>; closed: Promise<void> }> {
  let onSse: (sse: SseResponse) => void = () => undefined;
  let onClosed: () => void = () => undefined;
  const sse = new Promise<SseResponse>((resolve) => (onSse = resolve));
  const closed = new Promise<void>((resolve) => (onClosed = resolve));
  const server = createServer((_request, response) => onSse(new SseResponse(response, heartbeatMs, 1_000, onClosed)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  await once(client, 'connect');
  client.write('GET /stream HTTP/1.1\r\nHost: test\r\n\r\n');
  return { server, client, sse, closed };
}

describe('SseResponse', () => {
  it('keeps writing to a client that reads', async () => {
    const { server, client, sse } = await stream();
    let received = '';
    client.on('data', (chunk: Buffer) => (received += chunk.toString()));
    (await sse).send('1', 'run', { status: 'running' });
    while (!received.includes('event: run')) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(received).toContain('data: {"status":"running"}');
    client.destroy();
    server.close();
  });

  it(`disconnects a client that stopped reading once over ${MAX_UNSENT_BYTES} bytes wait for it, unread since the last heartbeat, instead of buffering without end`, async () => {
    const { server, client, sse, closed } = await stream(100);
    client.pause();
    const response = await sse;
    let isClosed = false;
    void closed.then(() => (isClosed = true));
    // The kernel's socket buffers take the first megabytes; past them the rest waits in the response.
    for (let sent = 0; sent < 300; sent += 1) response.send(String(sent), 'run', { text: 'x'.repeat(64 * 1024) });
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    expect(isClosed).toBe(true);
    client.destroy();
    server.close();
  });

  it('keeps a client that reads, however large a backlog is written to it at once', async () => {
    // A heartbeat interval (15 s in the app) is long beside the time 20 MB takes to drain.
    const { server, client, sse, closed } = await stream(1_000);
    let received = 0;
    client.on('data', (chunk: Buffer) => (received += chunk.length));
    let isClosed = false;
    void closed.then(() => (isClosed = true));
    const response = await sse;
    for (let sent = 0; sent < 300; sent += 1) response.send(String(sent), 'run', { text: 'x'.repeat(64 * 1024) });
    while (received < 300 * 64 * 1024) await new Promise((resolve) => setTimeout(resolve, 20));
    // Heartbeats pass after it drained: the client stays.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(isClosed).toBe(false);
    client.destroy();
    server.close();
  });
});
