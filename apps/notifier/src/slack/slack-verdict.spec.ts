import { DEFAULT_RETRY_AFTER_MS, judgeSlackResponse, MAX_RETRY_AFTER_MS, parseRetryAfter } from './slack-verdict';

describe('judgeSlackResponse', () => {
  it('counts ok:true as delivered', () => {
    expect(judgeSlackResponse(200, null, '{"ok":true,"channel":"C1","ts":"1.2"}')).toEqual({ verdict: 'delivered', status: 200, error: '' });
  });

  it.each(['channel_not_found', 'not_in_channel', 'is_archived', 'invalid_auth', 'token_revoked', 'missing_scope', 'invalid_blocks', 'msg_too_long'])(
    'gives up on %s, which the same request would get again',
    (code) => expect(judgeSlackResponse(200, null, `{"ok":false,"error":"${code}"}`)).toEqual({ verdict: 'failed', status: 200, error: `slack: ${code}` }),
  );

  it.each(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'something_new'])('retries %s', (code) => {
    expect(judgeSlackResponse(200, null, `{"ok":false,"error":"${code}"}`)).toEqual({ verdict: 'retry', status: 200, error: `slack: ${code}` });
  });

  it("keeps Slack's detail on invalid blocks", () => {
    const body = JSON.stringify({
      ok: false,
      error: 'invalid_blocks',
      response_metadata: { messages: ['[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]'] },
    });
    expect(judgeSlackResponse(200, null, body).error).toBe(
      'slack: invalid_blocks ([ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text])',
    );
  });

  it('waits as long as a 429 says, 30 s when it does not say', () => {
    expect(judgeSlackResponse(429, '7', '')).toMatchObject({ verdict: 'retry', status: 429, retryAfterMs: 7_000 });
    expect(judgeSlackResponse(429, null, '')).toMatchObject({ verdict: 'retry', retryAfterMs: DEFAULT_RETRY_AFTER_MS });
    expect(judgeSlackResponse(429, 'Wed, 21 Oct 2015 07:28:00 GMT', '')).toMatchObject({ retryAfterMs: DEFAULT_RETRY_AFTER_MS });
    expect(judgeSlackResponse(429, '86400', '')).toMatchObject({ retryAfterMs: MAX_RETRY_AFTER_MS });
  });

  it('retries 5xx and 408, with a Retry-After when one came', () => {
    expect(judgeSlackResponse(500, null, 'oops')).toEqual({ verdict: 'retry', status: 500, error: 'HTTP 500' });
    expect(judgeSlackResponse(503, '12', '')).toEqual({ verdict: 'retry', status: 503, error: 'HTTP 503', retryAfterMs: 12_000 });
    expect(judgeSlackResponse(408, null, '')).toMatchObject({ verdict: 'retry', status: 408 });
  });

  it('gives up on redirects and other 4xx', () => {
    expect(judgeSlackResponse(302, null, '')).toMatchObject({ verdict: 'failed', status: 302, error: expect.stringMatching(/redirects are not followed/) });
    expect(judgeSlackResponse(404, null, '')).toEqual({ verdict: 'failed', status: 404, error: 'HTTP 404' });
    expect(judgeSlackResponse(400, null, '{"ok":false,"error":"invalid_blocks"}')).toEqual({ verdict: 'failed', status: 400, error: 'slack: invalid_blocks' });
  });

  it('retries a 200 that is not Slack JSON, and reads ok and error from a body cut at the read cap', () => {
    expect(judgeSlackResponse(200, null, '<html>proxy</html>')).toMatchObject({ verdict: 'retry', status: 200 });
    const cut = '{"ok":true,"channel":"C1","message":{"text":"' + 'x'.repeat(100);
    expect(judgeSlackResponse(200, null, cut)).toMatchObject({ verdict: 'delivered' });
    expect(judgeSlackResponse(200, null, '{"ok":false,"error":"channel_not_found","warning":"' + 'x'.repeat(100))).toMatchObject({
      verdict: 'failed',
      error: 'slack: channel_not_found',
    });
  });
});

describe('parseRetryAfter', () => {
  it('reads whole seconds within 1 s and 1 h, and nothing else', () => {
    expect(parseRetryAfter('7')).toBe(7_000);
    expect(parseRetryAfter(' 30 ')).toBe(30_000);
    expect(parseRetryAfter('0')).toBe(1_000);
    expect(parseRetryAfter('7200')).toBe(3_600_000);
    expect(parseRetryAfter('1.5')).toBeUndefined();
    expect(parseRetryAfter('-1')).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
