import { connect, Socket } from 'node:net';
import { eventually } from '@runstream/testing';
import { freePort } from '../../../../test/faults/support/ports';
import { startStack, Stack } from '../../../../test/support/stack';

/** 20 rows of 1,000,000 characters: ~20 MB of answer. */
const LARGE = "SELECT repeat('x', 1000000) FROM system.one ARRAY JOIN range(20) AS i";

/**
 * A client that asks for a large answer and stops reading holds that answer in the query app's
 * memory; QUERY_SQL_MAX_UNSENT_BYTES bounds what such clients hold together.
 */
describe('SQL endpoint: answers held for clients still reading them', () => {
  let stack: Stack;
  let port: number;
  let authorization: string;

  beforeAll(async () => {
    port = await freePort();
    stack = await startStack('bi-backlog', { QUERY_SQL_PORT: String(port), QUERY_SQL_MAX_UNSENT_BYTES: String(1024 * 1024) });
    authorization = `Basic ${Buffer.from(`${stack.orgId}:${stack.tokens.user}`).toString('base64')}`;
  });

  afterAll(async () => {
    await stack?.close();
  });

  const small = () => fetch(`http://127.0.0.1:${port}/?query=${encodeURIComponent('SELECT 1')}`, { headers: { authorization } });

  it('answers 503 with Retry-After, before running the query, while a reader that stopped holds more than the budget; 200 once it is gone', async () => {
    expect((await small()).status).toBe(200);
    // 20 MB asked for and never read: far more than the socket buffers take.
    const stalled: Socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => stalled.once('connect', resolve));
    stalled.pause();
    const query = encodeURIComponent(LARGE);
    stalled.write(`GET /?query=${query} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${authorization}\r\n\r\n`);

    const refused = await eventually(
      async () => {
        const answer = await small();
        return answer.status === 503 ? answer : undefined;
      },
      'a query refused while the stalled answer is held',
      20_000,
      100,
    );
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('x-clickhouse-exception-code')).toBe('202');
    expect(await refused.text()).toContain('still being read by their clients');

    stalled.destroy();
    await eventually(async () => ((await small()).status === 200 ? true : undefined), 'queries answered again once the reader is gone', 20_000, 100);
  });
});
