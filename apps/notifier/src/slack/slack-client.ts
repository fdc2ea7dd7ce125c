import { SlackMessage } from './slack-message';
import { judgeSlackResponse, SlackAttemptResult, SlackJudgement } from './slack-verdict';

/** The most of a response body read; Slack's answer to chat.postMessage is a few KiB. */
export const MAX_SLACK_RESPONSE_BYTES = 64 * 1024;
export const SLACK_USER_AGENT = 'runstream-notifier/1';

export interface SlackClientOptions {
  /** The Web API's base, e.g. https://slack.com/api (a trailing slash is fine). */
  baseUrl: string;
  /** The bot token (xoxb-…); it goes only into the Authorization header, never into a result. */
  token: string;
  /** Longest the attempt may take, connect to last byte read. */
  timeoutMs: number;
}

/** Reads at most MAX_SLACK_RESPONSE_BYTES, then stops reading (the rest is dropped with the connection). */
async function readCapped(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (total < MAX_SLACK_RESPONSE_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
  }
  if (total >= MAX_SLACK_RESPONSE_BYTES) await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, MAX_SLACK_RESPONSE_BYTES).toString('utf8');
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

/** Read by shape, not instanceof: fetch's errors come from Node's own realm, not always the caller's. */
function asErrorLike(value: unknown): ErrorLike | undefined {
  return typeof value === 'object' && value !== null ? (value as ErrorLike) : undefined;
}

/** The timeout, or the cause Node's fetch wraps in "fetch failed" (ECONNREFUSED, ENOTFOUND, UND_ERR_SOCKET, …). */
function networkError(error: unknown, timeoutMs: number): string {
  const outer = asErrorLike(error);
  if (outer?.name === 'TimeoutError' || outer?.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  const cause = asErrorLike(outer?.cause);
  if (typeof cause?.message === 'string') return typeof cause.code === 'string' ? `${cause.code}: ${cause.message}` : cause.message;
  return typeof outer?.message === 'string' ? outer.message : String(error);
}

/** Slack tokens are printable ASCII; anything else could not go into a header at all. */
const TOKEN_SHAPE = /^[\x21-\x7e]+$/;

async function attempt(options: SlackClientOptions, message: SlackMessage): Promise<SlackJudgement> {
  if (options.token === '') return { verdict: 'failed', status: 0, error: 'no Slack bot token configured (NOTIFIER_SLACK_BOT_TOKEN)' };
  if (!TOKEN_SHAPE.test(options.token)) return { verdict: 'failed', status: 0, error: 'the Slack bot token contains characters a header cannot carry' };
  const url = `${options.baseUrl.replace(/\/+$/, '')}/chat.postMessage`;
  // Set once headers arrive, so a body that stalls past the deadline still reports its status.
  let status = 0;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${options.token}`,
        'content-type': 'application/json; charset=utf-8',
        'user-agent': SLACK_USER_AGENT,
      },
      body: JSON.stringify(message),
      // A redirect would carry the token to wherever it points; the 3xx itself is the answer.
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    status = response.status;
    const body = await readCapped(response);
    return judgeSlackResponse(response.status, response.headers.get('retry-after'), body);
  } catch (error) {
    return { verdict: 'retry', status, error: networkError(error, options.timeoutMs) };
  }
}

/**
 * One chat.postMessage attempt and what it means: delivered, worth retrying (429 with Slack's
 * wait, 5xx, timeouts, network errors, transient `ok:false` codes) or failed for good. Never
 * throws; the caller logs the attempt and keeps its own retry schedule.
 */
export async function postSlackMessage(options: SlackClientOptions, message: SlackMessage): Promise<SlackAttemptResult> {
  const started = performance.now();
  const result = await attempt(options, message);
  // Belt and braces: nothing above quotes the token, and nothing that reaches the log ever may.
  const error = options.token ? result.error.split(options.token).join('[token]') : result.error;
  return { ...result, error, durationMs: Math.round(performance.now() - started) };
}
