import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { MAX_SLACK_RESPONSE_BYTES, postSlackMessage } from './slack-client';
import { SlackMessage } from './slack-message';

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const TOKEN = 'xoxb-test-0000-secret';

const message: SlackMessage = {
  channel: '#data-alerts',
  text: ':x: Run failed: nightly-refresh (warehouse)',
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Error*\n```boom```' } }],
};

/** A real local HTTP server standing in for the Slack Web API (no ClickHouse or Kafka needed). */
describe('postSlackMessage against a local stand-in for the Slack Web API', () => {
  const servers: Server[] = [];
  const received: Received[] = [];

  async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        handler(req, res);
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  }

  function json(status: number, body: unknown, headers: Record<string, string> = {}): (req: IncomingMessage, res: ServerResponse) => void {
    return (_req, res) => res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
  }

  const post = (baseUrl: string, timeoutMs = 5_000) => postSlackMessage({ baseUrl, token: TOKEN, timeoutMs }, message);

  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('POSTs the message as JSON to /chat.postMessage with the bearer token, and counts ok:true as delivered', async () => {
    const baseUrl = await serve(json(200, { ok: true, channel: 'C123', ts: '1700000000.000100' }));
    const before = received.length;
    const result = await post(`${baseUrl}/`);
    expect(result).toMatchObject({ verdict: 'delivered', status: 200, error: '' });
    expect(received.length).toBe(before + 1);
    const request = received.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/api/chat.postMessage');
    expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(request.body)).toEqual(message);
  });

  it('gives up on ok:false channel_not_found, saying what Slack said and not the token', async () => {
    const baseUrl = await serve(json(200, { ok: false, error: 'channel_not_found' }));
    const result = await post(baseUrl);
    expect(result).toMatchObject({ verdict: 'failed', status: 200, error: 'slack: channel_not_found' });
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it('retries a 429 after the Retry-After it carries', async () => {
    const baseUrl = await serve(json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '7' }));
    expect(await post(baseUrl)).toMatchObject({ verdict: 'retry', status: 429, retryAfterMs: 7_000, error: 'slack: ratelimited' });
  });

  it('retries a 500', async () => {
    const baseUrl = await serve((_req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('upstream broke'));
    const result = await post(baseUrl);
    expect(result).toMatchObject({ verdict: 'retry', status: 500, error: 'HTTP 500' });
    expect(result.retryAfterMs).toBeUndefined();
  });

  it('retries when the server never answers, once the deadline has passed', async () => {
    const baseUrl = await serve(() => undefined);
    const timeoutMs = 300;
    const result = await post(baseUrl, timeoutMs);
    expect(result).toMatchObject({ verdict: 'retry', status: 0, error: `timed out after ${timeoutMs} ms` });
  });

  it('holds the deadline while reading the body too', async () => {
    const baseUrl = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"ok":');
    });
    const timeoutMs = 300;
    const result = await post(baseUrl, timeoutMs);
    expect(result).toMatchObject({ verdict: 'retry', status: 200, error: `timed out after ${timeoutMs} ms` });
  });

  it('does not follow a 302 (the token would go with it) and gives up', async () => {
    const elsewhere = await serve(json(200, { ok: true }));
    const baseUrl = await serve((_req, res) => res.writeHead(302, { location: `${elsewhere}/chat.postMessage` }).end());
    const before = received.length;
    const result = await post(baseUrl);
    expect(result).toMatchObject({ verdict: 'failed', status: 302, error: expect.stringMatching(/redirects are not followed/) });
    expect(received.length).toBe(before + 1);
    expect(received.at(-1)!.path).toBe('/api/chat.postMessage');
  });

  it('reads at most 64 KiB of an endless answer', async () => {
    let sent = 0;
    const baseUrl = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"ok":true,"padding":"');
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const timeoutMs = 5_000;
    const result = await post(baseUrl, timeoutMs);
    // Reading the endless body to its end would have run into the deadline: the verdict would be a retry.
    expect(result).toMatchObject({ verdict: 'delivered', status: 200 });
    expect(sent).toBeLessThan(MAX_SLACK_RESPONSE_BYTES * 64);
  });

  it('retries a refused connection, naming its code', async () => {
    const baseUrl = await serve(json(200, { ok: true }));
    const closed = servers.pop()!;
    await new Promise((resolve) => closed.close(resolve));
    expect(await post(baseUrl, 2_000)).toMatchObject({ verdict: 'retry', status: 0, error: expect.stringMatching(/^ECONNREFUSED/) });
  });

  it('sends nothing without a token, and says which variable to set', async () => {
    const baseUrl = await serve(json(200, { ok: true }));
    const before = received.length;
    const result = await postSlackMessage({ baseUrl, token: '', timeoutMs: 2_000 }, message);
    expect(result).toMatchObject({ verdict: 'failed', status: 0, error: 'no Slack bot token configured (NOTIFIER_SLACK_BOT_TOKEN)' });
    expect(received.length).toBe(before);
  });
});
