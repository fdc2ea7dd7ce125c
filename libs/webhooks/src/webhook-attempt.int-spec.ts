import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { checkWebhookUrl, CheckedUrl } from './url-guard';
import { MAX_RESPONSE_BYTES, sendWebhook } from './webhook-attempt';

/** One attempt against real local servers (no ClickHouse or Kafka needed). */
describe('sendWebhook against real local servers', () => {
  const servers: Server[] = [];
  let received = 0;

  async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<CheckedUrl> {
    const server = createServer((req, res) => {
      received += 1;
      handler(req, res);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const check = await checkWebhookUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, { allowPrivate: true });
    if (!check.ok) throw new Error(check.reason);
    return check.target;
  }

  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reads at most 64 KiB of an endless response body and still counts the 2xx', async () => {
    let sent = 0;
    const target = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const timeoutMs = 5_000;
    const result = await sendWebhook(target, { 'content-type': 'application/json' }, '{}', timeoutMs);
    // Reading the endless body to its end would have run into the deadline: the attempt would have failed.
    expect(result).toMatchObject({ ok: true, status: 200, error: '' });
    expect(sent).toBeLessThan(MAX_RESPONSE_BYTES * 64);
  });

  it('turns a header value Node cannot send into a failed attempt, not a crash', async () => {
    const target = await serve((_req, res) => res.writeHead(200).end());
    const before = received;
    const result = await sendWebhook(target, { 'x-bad': 'a\r\nInjected: yes' }, '{}', 2_000);
    expect(result).toMatchObject({ ok: false, status: 0, error: expect.stringMatching(/^request refused \(fix the job's webhook_headers\): /), refused: true });
    expect(received).toBe(before);
  });

  it('reports a refused connection as a network error with its code', async () => {
    const target = await serve((_req, res) => res.writeHead(200).end());
    const closed = servers.pop()!;
    await new Promise((resolve) => closed.close(resolve));
    const result = await sendWebhook(target, {}, '{}', 2_000);
    expect(result).toMatchObject({ ok: false, status: 0, error: expect.stringMatching(/^ECONNREFUSED/) });
  });
});
