import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks (https://www.standardwebhooks.com/) symmetric signatures: the receiver
 * recomputes HMAC-SHA256 over `<webhook-id>.<webhook-timestamp>.<body>` with the shared secret
 * and compares it with one of the `v1,<base64>` entries of `webhook-signature`.
 */
export const SECRET_PREFIX = 'whsec_';
export const SIGNATURE_VERSION = 'v1';
export const DEFAULT_TOLERANCE_SECONDS = 300;

export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';

/** A new secret: `whsec_` + base64 of 32 random bytes (the spec asks for 24 to 64). */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The HMAC key: the base64 after `whsec_` (a bare base64 secret is accepted too, as the official libraries do). */
export function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw new RangeError('webhook secret is not base64');
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new RangeError('webhook secret is empty');
  return key;
}

/**
 * The id of one outcome of one run on one channel (`webhook`, `slack`): the webhook-id header,
 * the same on every attempt and on every notifier instance, so a replayed or resumed outcome finds
 * its series and receivers can dedupe.
 */
export function webhookMessageId(runId: string, outcome: string, channel: string): string {
  const digest = createHash('sha256').update(`${runId}|${outcome}|${channel}`).digest('hex');
  return `msg_${digest.slice(0, 32)}`;
}

/** `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`; timestamp in unix seconds. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string | Buffer): string {
  const hmac = createHmac('sha256', secretKey(secret));
  hmac.update(`${id}.${timestamp}.`);
  hmac.update(body);
  return `${SIGNATURE_VERSION},${hmac.digest('base64')}`;
}

/**
 * The three headers of one attempt (a new timestamp and signature each attempt, the same id).
 * During a rotation `secrets` holds the new and the old secret: one signature each, so receivers
 * still on the old one keep verifying.
 */
export function signedHeaders(secrets: string | readonly string[], id: string, timestamp: number, body: string): Record<string, string> {
  const all = typeof secrets === 'string' ? [secrets] : secrets;
  return {
    [WEBHOOK_ID_HEADER]: id,
    [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
    [WEBHOOK_SIGNATURE_HEADER]: all.map((secret) => signWebhook(secret, id, timestamp, body)).join(' '),
  };
}

export type WebhookHeaders = Record<string, string | string[] | undefined>;

export type VerifyResult = { ok: true } | { ok: false; reason: 'missing_headers' | 'bad_timestamp' | 'too_old' | 'too_new' | 'no_matching_signature' };

function header(headers: WebhookHeaders, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(' ') : value;
  }
  return undefined;
}

/**
 * Verifies a received webhook as the spec says: every header present, the timestamp within
 * `toleranceSeconds` of `nowSeconds` either way, and one of the space-separated `v1,…` entries
 * matching the signature under one of `secrets` (several during a rotation). Constant-time compare.
 */
export function verifyWebhook(
  secrets: readonly string[],
  headers: WebhookHeaders,
  body: string | Buffer,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
  nowSeconds = Math.floor(Date.now() / 1000),
): VerifyResult {
  const id = header(headers, WEBHOOK_ID_HEADER);
  const timestampText = header(headers, WEBHOOK_TIMESTAMP_HEADER);
  const signatures = header(headers, WEBHOOK_SIGNATURE_HEADER);
  if (!id || !timestampText || !signatures) return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(timestampText)) return { ok: false, reason: 'bad_timestamp' };
  const timestamp = Number(timestampText);
  if (nowSeconds - timestamp > toleranceSeconds) return { ok: false, reason: 'too_old' };
  if (timestamp - nowSeconds > toleranceSeconds) return { ok: false, reason: 'too_new' };

  const offered = signatures
    .split(' ')
    .map((entry) => entry.split(','))
    .filter(([version, value]) => version === SIGNATURE_VERSION && value !== undefined)
    .map(([, value]) => Buffer.from(value));
  for (const secret of secrets) {
    const expected = Buffer.from(signWebhook(secret, id, timestamp, body).slice(SIGNATURE_VERSION.length + 1));
    if (offered.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected))) return { ok: true };
  }
  return { ok: false, reason: 'no_matching_signature' };
}
