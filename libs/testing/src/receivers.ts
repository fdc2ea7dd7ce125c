import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real local HTTP server standing in for a webhook receiver or the Slack Web API. */
export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

type Answer = (request: ReceivedRequest, response: ServerResponse, index: number) => void;

export async function startReceiver(answer: Answer, path = '/hooks/runstream'): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(received);
      answer(received, res, requests.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The Standard Webhooks verification, written again here from the spec and not from our code:
 * key = base64-decode(secret without "whsec_"); expected = base64(HMAC-SHA256(key, id + "." +
 * timestamp + "." + body)); some space-separated "v1,<sig>" entry must equal it; the timestamp
 * must be within 5 minutes of now.
 */
export function specVerify(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.split('_')[1], 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    const given = Buffer.from(signature ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** Requests grouped by webhook-id: one entry per delivery series. */
export function seriesOf(requests: readonly ReceivedRequest[]): Map<string, ReceivedRequest[]> {
  const series = new Map<string, ReceivedRequest[]>();
  for (const request of requests) {
    const id = String(request.headers['webhook-id']);
    series.set(id, [...(series.get(id) ?? []), request]);
  }
  return series;
}
