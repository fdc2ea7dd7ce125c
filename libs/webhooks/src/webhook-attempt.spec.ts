import { mergeHeaders, USER_AGENT } from './webhook-attempt';

const SIGNED = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000', 'webhook-signature': 'v1,abc' };

describe('webhook headers', () => {
  it("sends the job's headers, lower-cased, with content-type and the signature headers", () => {
    expect(mergeHeaders({ Authorization: 'Bearer t', 'X-Team': 'data' }, SIGNED)).toEqual({
      'user-agent': USER_AGENT,
      authorization: 'Bearer t',
      'x-team': 'data',
      'content-type': 'application/json',
      ...SIGNED,
    });
  });

  it("never lets the job's headers override content-type, framing, host or the signature", () => {
    const merged = mergeHeaders(
      {
        'Content-Type': 'text/plain',
        'content-length': '1',
        Host: 'evil',
        'Transfer-Encoding': 'chunked',
        Connection: 'upgrade',
        'Webhook-Id': 'x',
        'webhook-timestamp': '1',
        'WEBHOOK-SIGNATURE': 'v1,forged',
      },
      SIGNED,
    );
    expect(merged).toEqual({ 'user-agent': USER_AGENT, 'content-type': 'application/json', ...SIGNED });
  });

  it('lets the job set its own user-agent', () => {
    expect(mergeHeaders({ 'User-Agent': 'mine' }, SIGNED)['user-agent']).toBe('mine');
  });
});
