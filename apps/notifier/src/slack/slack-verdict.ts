/**
 * What Slack's answers mean for the delivery series. Anything not named here (internal_error,
 * fatal_error, service_unavailable, request_timeout, ratelimited, codes Slack adds later) is
 * worth another attempt: a retry costs one request, a wrongly dropped alert is lost.
 */

/** `ok:false` errors of chat.postMessage that the same request will get again (docs.slack.dev/reference/methods/chat.postMessage). */
const PERMANENT_ERRORS: ReadonlySet<string> = new Set([
  // the channel
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'cannot_reply_to_message',
  'messages_tab_disabled',
  'slack_connect_canvas_sharing_blocked',
  'slack_connect_file_link_sharing_blocked',
  // the token and its grants
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'not_allowed_token_type',
  'access_denied',
  'ekm_access_denied',
  'team_access_not_granted',
  'enterprise_is_restricted',
  'two_factor_setup_required',
  'as_user_not_supported',
  // the message
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_arguments',
  'invalid_arg_name',
  'invalid_array_arg',
  'invalid_charset',
  'invalid_form_data',
  'invalid_post_type',
  'missing_post_type',
  'invalid_json',
  'json_not_object',
  'msg_too_long',
  'msg_blocks_too_long',
  'no_text',
  'too_many_attachments',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'metadata_too_large',
  'metadata_must_be_sent_from_app',
  // the endpoint
  'deprecated_endpoint',
  'method_deprecated',
  'unknown_method',
]);

export function isPermanentSlackError(code: string): boolean {
  return PERMANENT_ERRORS.has(code);
}

/** Used when a 429 carries no usable Retry-After. */
export const DEFAULT_RETRY_AFTER_MS = 30_000;
/** A longer wait than this is the notifier's own schedule's business. */
export const MAX_RETRY_AFTER_MS = 3_600_000;
/** `Retry-After: 0` would make a tight loop of a rate limit. */
const MIN_RETRY_AFTER_MS = 1_000;

/** `Retry-After` in whole seconds (Slack's form), as milliseconds within [1 s, 1 h]; undefined when absent or not a number. */
export function parseRetryAfter(header: string | null): number | undefined {
  if (header === null || !/^\s*\d+\s*$/.test(header)) return undefined;
  const ms = Number(header.trim()) * 1000;
  return Math.min(Math.max(ms, MIN_RETRY_AFTER_MS), MAX_RETRY_AFTER_MS);
}

/** One attempt's outcome: `status` 0 when no HTTP response came; `error` '' when delivered. */
export interface SlackAttemptResult {
  verdict: 'delivered' | 'retry' | 'failed';
  status: number;
  error: string;
  durationMs: number;
  /** How long Slack asked us to wait (429, or a Retry-After on another retryable answer). */
  retryAfterMs?: number;
}

export type SlackJudgement = Omit<SlackAttemptResult, 'durationMs'>;

interface SlackBody {
  ok?: boolean;
  error?: string;
  /** response_metadata.messages: Slack's detail for invalid_blocks and the like. */
  details: string[];
}

const MAX_ERROR_CHARS = 500;

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Slack's JSON answer. A body cut at the read cap is no longer JSON, but Slack writes `ok` (and
 * `error`) first, so their start is still read.
 */
export function parseSlackBody(body: string): SlackBody {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return { details: [] };
    const record = parsed as Record<string, unknown>;
    const metadata = record.response_metadata as Record<string, unknown> | undefined;
    const messages = Array.isArray(metadata?.messages) ? metadata.messages.map(text).filter((m): m is string => m !== undefined) : [];
    return { ok: typeof record.ok === 'boolean' ? record.ok : undefined, error: text(record.error), details: messages };
  } catch {
    const ok = /^\s*\{\s*"ok"\s*:\s*(true|false)/.exec(body)?.[1];
    const error = /"error"\s*:\s*"([^"\\]{1,200})"/.exec(body)?.[1];
    return { ok: ok === undefined ? undefined : ok === 'true', error, details: [] };
  }
}

function describe(body: SlackBody, fallback: string): string {
  const code = body.error ? `slack: ${body.error}` : fallback;
  const detail = body.details.length > 0 ? ` (${body.details.slice(0, 3).join('; ')})` : '';
  return (code + detail).slice(0, MAX_ERROR_CHARS);
}

/** What one HTTP answer from chat.postMessage means (redirects are never followed, so a 3xx is an answer). */
export function judgeSlackResponse(status: number, retryAfter: string | null, bodyText: string): SlackJudgement {
  const body = parseSlackBody(bodyText);
  const waitMs = parseRetryAfter(retryAfter);
  const retry = (error: string, retryAfterMs = waitMs): SlackJudgement =>
    retryAfterMs === undefined ? { verdict: 'retry', status, error } : { verdict: 'retry', status, error, retryAfterMs };
  if (status === 429) return retry(describe(body, 'slack: rate limited (HTTP 429)'), waitMs ?? DEFAULT_RETRY_AFTER_MS);
  // 408 is the one 4xx that says "same request, later".
  if (status >= 500 || status === 408) return retry(describe(body, `HTTP ${status}`));
  if (status >= 300 && status < 400) {
    return { verdict: 'failed', status, error: `HTTP ${status}: redirects are not followed (is NOTIFIER_SLACK_API_URL right?)` };
  }
  if (status < 200 || status >= 300) return { verdict: 'failed', status, error: describe(body, `HTTP ${status}`) };
  if (body.ok === true) return { verdict: 'delivered', status, error: '' };
  if (body.ok === undefined) return retry(`HTTP ${status} without Slack's "ok" (is NOTIFIER_SLACK_API_URL right?)`);
  const error = describe(body, 'slack: ok=false without an error code');
  return body.error && isPermanentSlackError(body.error) ? { verdict: 'failed', status, error } : retry(error);
}
