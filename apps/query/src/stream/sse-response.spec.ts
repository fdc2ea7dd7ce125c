import { once } from 'node:events';
import { createServer, Server } from 'node:http';
import { AddressInfo, connect, Socket } from 'node:net';
import { MAX_UNSENT_BYTES, SseResponse } from './sse-response';

/** A real local HTTP server whose one response is an SseResponse, and a raw client socket to it. */
async function stream(): Promise<{ server: Server; client: Socket; sse: Promise<SseResponse>; closed: Promise<void> }> {
  let onSse: (sse: SseResponse) => void = () => undefined;
  let onClosed: () => void = () => undefined;
  const sse = new Promise<SseResponse>((resolve) => (onSse = resolve));
  const closed = new Promise<void>((resolve) => (onClosed = resolve));
  const server = createServer((_request, response) => onSse(new SseResponse(response, 60_000, 1_000, onClosed)));
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

  it(`disconnects a client that stopped reading once ${MAX_UNSENT_BYTES} bytes wait for it, instead of buffering without end`, async () => {
    const { server, client, sse, closed } = await stream();
    client.pause();
    const response = await sse;
    const payload = { text: 'x'.repeat(64 * 1024) };
    let sent = 0;
    let isClosed = false;
    void closed.then(() => (isClosed = true));
    // The kernel's socket buffers take the first megabytes; past them the rest waits in the response.
    while (!isClosed && sent < 1_000) {
      response.send(String(sent), 'run', payload);
      sent += 1;
      if (sent % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1_000))]);
    expect(isClosed).toBe(true);
    client.destroy();
    server.close();
  });
});
