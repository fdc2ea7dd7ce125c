import { Agent, request as httpRequest } from 'node:http';
import { Materialized } from './payload';

export interface Answer {
  /** 0 when no answer came (see `error`). */
  status: number;
  retryAfter?: string;
  /** The first bytes of the answer body. */
  body: string;
  ms: number;
  error?: string;
}

/** Header values node:http refuses to send (control characters); what a real client could never put on the wire. */
function sendable(value: string): string {
  return value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');
}

/** Marks requests node:http itself refuses (not the server's doing). */
export const UNSENDABLE = 'client refused to send';

const agent = new Agent({ keepAlive: true, maxSockets: 32 });

/**
 * One request over a raw node:http client, which sends what fetch refuses to (mis-encoded
 * paths, unknown methods, bodies on GET, odd headers). `timeoutMs` without an answer is a hang.
 */
export async function send(baseUrl: string, sent: Materialized, timeoutMs: number): Promise<Answer> {
  const answer = await sendOnce(baseUrl, sent, timeoutMs, agent);
  // A kept-alive socket the server closed meanwhile fails on reuse: the client's race, not an answer. Retry on a new connection.
  return answer.reusedSocket && answer.status === 0 && /ECONNRESET|EPIPE|socket hang up/.test(answer.error ?? '')
    ? sendOnce(baseUrl, sent, timeoutMs, false)
    : answer;
}

function sendOnce(baseUrl: string, sent: Materialized, timeoutMs: number, via: Agent | false): Promise<Answer & { reusedSocket?: boolean }> {
  const url = new URL(baseUrl);
  const started = performance.now();
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(sent.headers)) headers[name] = Array.isArray(value) ? value.map(sendable) : sendable(value);
  if (sent.body !== undefined) headers['content-length'] = String(sent.body.length);
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (answer: Omit<Answer, 'ms'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...answer, ms: performance.now() - started, reusedSocket: req?.reusedSocket });
    };
    let req: ReturnType<typeof httpRequest> | undefined;
    try {
      req = httpRequest({ host: url.hostname, port: url.port, method: sent.method, path: sent.path, headers, agent: via }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < 2048) chunks.push(chunk);
          size += chunk.length;
        });
        const done = (error?: string): void => {
          const retryAfter = res.headers['retry-after'];
          finish({
            status: res.statusCode ?? 0,
            retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
            body: Buffer.concat(chunks).toString('utf8').slice(0, 2048),
            error,
          });
        };
        res.on('end', () => done());
        res.on('error', (e) => done(`answer cut: ${e.message}`));
      });
    } catch (error) {
      finish({ status: 0, body: '', error: `${UNSENDABLE}: ${String(error)}` });
      return;
    }
    const current = req;
    timer = setTimeout(() => {
      current.destroy(new Error('fuzz timeout'));
      finish({ status: 0, body: '', error: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    // A server may answer (413, 400) and close before the whole body is written: the answer counts.
    current.on('error', (e: NodeJS.ErrnoException) => setTimeout(() => finish({ status: 0, body: '', error: `${e.code ?? ''} ${e.message}`.trim() }), 50));
    current.end(sent.body);
  });
}

export function closeAgent(): void {
  agent.destroy();
}
