import { ClientRequest, request as httpRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CheckedUrl, pinnedLookup } from './url-guard';
import { WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER } from './signing';

/** The most of a response body read (then the connection is dropped: only the status matters). */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** How much of a failing response's body is kept in the delivery log's error. */
export const ERROR_BODY_CHARS = 256;
export const USER_AGENT = 'runstream-notifier/1 (+Standard Webhooks)';

/** What one POST gave: `status` 0 when no response came; `error` '' when a 2xx came. */
export interface AttemptResult {
  ok: boolean;
  status: number;
  error: string;
  durationMs: number;
  /** Node refused to build the request (a header value it cannot send): every retry would fail the same way. */
  refused?: true;
}

/** Headers a job's `webhook_headers` may not set: the body's framing, the host, and the signature. */
const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'transfer-encoding',
  'connection',
  'host',
  WEBHOOK_ID_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
]);

/**
 * The headers of one attempt: the job's own headers (any case) minus the reserved ones, then
 * content-type and the three signature headers, which nothing overrides.
 */
export function mergeHeaders(custom: Readonly<Record<string, string>>, signed: Readonly<Record<string, string>>): Record<string, string> {
  const merged: Record<string, string> = { 'user-agent': USER_AGENT };
  for (const [name, value] of Object.entries(custom)) {
    const lower = name.toLowerCase();
    if (!RESERVED_HEADERS.has(lower)) merged[lower] = value;
  }
  return { ...merged, 'content-type': 'application/json', ...signed };
}

/** Reads at most MAX_RESPONSE_BYTES of the body (then drops the connection) and keeps its start for the log. */
function drain(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let readBytes = 0;
    const done = (): void => resolve(Buffer.concat(kept).toString('utf8').slice(0, ERROR_BODY_CHARS));
    response.on('data', (chunk: Buffer) => {
      readBytes += chunk.length;
      if (keptBytes < ERROR_BODY_CHARS * 4) {
        kept.push(chunk);
        keptBytes += chunk.length;
      }
      if (readBytes >= MAX_RESPONSE_BYTES) {
        response.destroy();
        done();
      }
    });
    response.once('end', done);
    response.once('error', done);
    response.once('close', done);
  });
}

/**
 * One POST of `body` to the checked URL, connecting only to its checked addresses. Redirects
 * are not followed (node:http never follows them; a 3xx is a failed attempt). The whole attempt
 * (the lookup already spent, connect, headers, body) must finish within `timeoutMs`.
 */
export function sendWebhook(
  target: CheckedUrl,
  headers: Readonly<Record<string, string>>,
  body: string,
  timeoutMs: number,
  /** Of timeoutMs, what the attempt already spent before this request (looking the host up). */
  spentMs = 0,
): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const request = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  const payload = Buffer.from(body);
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: Omit<AttemptResult, 'durationMs'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: elapsed() });
    };
    const outgoing: OutgoingHttpHeaders = { ...headers, 'content-length': payload.length, connection: 'close' };
    let req: ClientRequest;
    try {
      req = request(target.url, { method: 'POST', headers: outgoing, lookup: pinnedLookup(target.addresses), agent: false }, (response) => {
        const status = response.statusCode ?? 0;
        void drain(response).then((text) => {
          const ok = status >= 200 && status < 300;
          const location = status >= 300 && status < 400 ? response.headers.location : undefined;
          // The fix for a redirect is the job's URL: say where the receiver points.
          const redirect = location ? ` (redirects are not followed; set webhook_url to ${location.slice(0, 512)} if that is the receiver)` : '';
          finish({ ok, status, error: ok ? '' : `HTTP ${status}${redirect}${text ? `: ${text}` : ''}` });
        });
      });
    } catch (error) {
      // Node refuses a header value it cannot send (a control character) before any I/O.
      finish({ ok: false, status: 0, error: `request refused (fix the job's webhook_headers): ${(error as Error).message}`, refused: true });
      return;
    }
    timer = setTimeout(
      () => {
        finish({ ok: false, status: 0, error: `timed out after ${timeoutMs} ms` });
        req.destroy();
      },
      Math.max(1, timeoutMs - spentMs),
    );
    req.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, status: 0, error: error.code ? `${error.code}: ${error.message}` : error.message }));
    req.end(payload);
  });
}
