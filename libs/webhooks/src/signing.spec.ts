import { newWebhookSecret, secretKey, signWebhook, verifyWebhook, webhookMessageId } from './signing';

// The test vector of the Standard Webhooks reference libraries (libraries/go/webhook_test.go).
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

function headersFor(signature: string, timestamp = SPEC.timestamp, id = SPEC.id): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
}

describe('Standard Webhooks signing', () => {
  it('reproduces the spec test vector', () => {
    expect(signWebhook(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature);
    expect(verifyWebhook([SPEC.secret], headersFor(SPEC.signature), SPEC.body, 300, SPEC.timestamp)).toEqual({ ok: true });
  });

  it('makes secrets of 32 random bytes behind whsec_, and round-trips a signature with one', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(secretKey(secret)).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(secret);
    const now = 1_700_000_000;
    const body = JSON.stringify({ type: 'run.succeeded', data: { id: 'run_1' } });
    expect(verifyWebhook([secret], headersFor(signWebhook(secret, 'msg_x', now, body), now, 'msg_x'), body, 300, now)).toEqual({ ok: true });
    expect(verifyWebhook([secret], headersFor(signWebhook(secret, 'msg_x', now, body), now, 'msg_x'), `${body} `, 300, now)).toEqual({
      ok: false,
      reason: 'no_matching_signature',
    });
  });

  it('refuses a timestamp outside the tolerance either way, and accepts one at its edge', () => {
    const sign = (at: number): Record<string, string> => headersFor(signWebhook(SPEC.secret, SPEC.id, at, SPEC.body), at);
    const now = SPEC.timestamp;
    expect(verifyWebhook([SPEC.secret], sign(now - 300), SPEC.body, 300, now)).toEqual({ ok: true });
    expect(verifyWebhook([SPEC.secret], sign(now - 301), SPEC.body, 300, now)).toEqual({ ok: false, reason: 'too_old' });
    expect(verifyWebhook([SPEC.secret], sign(now + 301), SPEC.body, 300, now)).toEqual({ ok: false, reason: 'too_new' });
    expect(verifyWebhook([SPEC.secret], sign(now - 3_600), SPEC.body, 7_200, now)).toEqual({ ok: true });
  });

  it('accepts any one of several signatures and any one of several secrets (rotation), v1 only', () => {
    const other = newWebhookSecret();
    const otherSignature = signWebhook(other, SPEC.id, SPEC.timestamp, SPEC.body);
    const wrong = 'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=';
    const v2 = SPEC.signature.replace('v1,', 'v2,');
    const now = SPEC.timestamp;
    expect(verifyWebhook([SPEC.secret], headersFor(`${wrong} ${v2} ${SPEC.signature} ${wrong}`), SPEC.body, 300, now)).toEqual({ ok: true });
    expect(verifyWebhook([SPEC.secret], headersFor(`${wrong} ${v2}`), SPEC.body, 300, now)).toEqual({ ok: false, reason: 'no_matching_signature' });
    expect(verifyWebhook([SPEC.secret, other], headersFor(otherSignature), SPEC.body, 300, now)).toEqual({ ok: true });
    expect(verifyWebhook([SPEC.secret], headersFor(otherSignature), SPEC.body, 300, now)).toEqual({ ok: false, reason: 'no_matching_signature' });
  });

  it('refuses missing headers and a timestamp that is not a number, and reads header names in any case', () => {
    const now = SPEC.timestamp;
    expect(verifyWebhook([SPEC.secret], { 'webhook-id': SPEC.id, 'webhook-timestamp': String(now) }, SPEC.body, 300, now)).toEqual({
      ok: false,
      reason: 'missing_headers',
    });
    expect(verifyWebhook([SPEC.secret], { ...headersFor(SPEC.signature), 'webhook-timestamp': '1614265330.5' }, SPEC.body, 300, now)).toEqual({
      ok: false,
      reason: 'bad_timestamp',
    });
    const upper = { 'Webhook-Id': SPEC.id, 'Webhook-Timestamp': String(now), 'Webhook-Signature': SPEC.signature };
    expect(verifyWebhook([SPEC.secret], upper, Buffer.from(SPEC.body), 300, now)).toEqual({ ok: true });
  });

  it('refuses a secret that is not base64', () => {
    expect(() => signWebhook('whsec_not base64!', 'msg', 1, '{}')).toThrow(/base64/);
    expect(() => signWebhook('whsec_', 'msg', 1, '{}')).toThrow();
  });

  it('derives one stable webhook-id per run, outcome and endpoint', () => {
    const id = webhookMessageId('run_1', 'success', 'https://example.com/hook');
    expect(id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(webhookMessageId('run_1', 'success', 'https://example.com/hook')).toBe(id);
    expect(webhookMessageId('run_1', 'failure', 'https://example.com/hook')).not.toBe(id);
    expect(webhookMessageId('run_2', 'success', 'https://example.com/hook')).not.toBe(id);
    expect(webhookMessageId('run_1', 'success', 'https://example.com/other')).not.toBe(id);
  });
});
