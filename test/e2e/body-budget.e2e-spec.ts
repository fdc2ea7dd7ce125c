import { connect } from 'node:net';
import { http } from '@runstream/testing';
import { bearer, startStack, Stack } from '../support/stack';

/** Sends a request's head declaring `contentLength` bytes of body, never the body; resolves with the answer's head. */
function headWithoutBody(url: string, path: string, headers: Record<string, string>, contentLength: number): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n\r\n')) {
        socket.destroy();
        resolve(answer);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    const lines = Object.entries({ ...headers, host: `${hostname}:${port}`, 'content-type': 'application/json', 'content-length': String(contentLength) });
    socket.write(`PATCH ${path} HTTP/1.1\r\n${lines.map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\n`);
  });
}

/**
 * Issue 10's hostile bodies: a request's body is charged to its sender's byte budget before it
 * is read, so a client sending large bodies in a loop is answered 429 instead of holding the
 * event loop that every other caller's requests wait for.
 */
describe('request body budget', () => {
  let stack: Stack;
  const projectId = 'proj_body_budget';
  // ~150 kB of valid PATCH: one log line of the largest size, 15 times over.
  const bigPatch = { logEntries: Array.from({ length: 15 }, (_, i) => ({ at: '2026-11-26T10:00:00Z', level: 'info', message: `${i} ${'x'.repeat(9_990)}` })) };

  beforeAll(async () => {
    stack = await startStack('body-budget', {
      RATE_LIMIT_BYTES_PER_SECOND: '10000',
      RATE_LIMIT_BYTES_BURST: '200000',
      RATE_LIMIT_UNAUTHENTICATED_BURST: '2',
      RATE_LIMIT_UNAUTHENTICATED_PER_SECOND: '0.01',
      // Were a body awaited, a request never sending it would be answered 408 after this.
      HTTP_RECEIVE_TIMEOUT_MS: '3000',
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function createRun(token: string): Promise<string> {
    const created = await http<{ id: string }>('POST', `${stack.ingestUrl}/api/elt/runs`, { projectId, jobName: 'job' }, bearer(token));
    expect(created.status).toBe(201);
    return created.body.id;
  }

  it("answers 429 with Retry-After once a token's body bytes are spent, and other tokens keep writing", async () => {
    const runId = await createRun(stack.tokens.user);
    const first = await http('PATCH', `${stack.ingestUrl}/api/elt/runs/${runId}`, bigPatch, bearer(stack.tokens.user));
    expect(first.status).toBe(202);
    const second = await fetch(`${stack.ingestUrl}/api/elt/runs/${runId}`, {
      method: 'PATCH',
      headers: { ...bearer(stack.tokens.user), 'content-type': 'application/json' },
      body: JSON.stringify(bigPatch),
    });
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await second.json()) as { message: string }).message).toContain('request body budget of 10000 bytes/s (burst 200000)');

    const otherRun = await createRun(stack.tokens.otherOrg);
    expect((await http('PATCH', `${stack.ingestUrl}/api/elt/runs/${otherRun}`, bigPatch, bearer(stack.tokens.otherOrg))).status).toBe(202);
  });

  it('answers before reading the body: a request declaring 150 kB it never sends still gets its 429', async () => {
    const { token } = await stack.tokenService.create({ orgId: stack.orgId, name: 'body-budget', kind: 'user' });
    const runId = await createRun(token);
    expect((await http('PATCH', `${stack.ingestUrl}/api/elt/runs/${runId}`, bigPatch, bearer(token))).status).toBe(202);
    const answer = await headWithoutBody(stack.ingestUrl, `/api/elt/runs/${runId}`, bearer(token), 150_000);
    expect(answer).toMatch(/^HTTP\/1\.1 429 /);
    expect(answer.toLowerCase()).toContain('retry-after:');
  });

  it('reads no body of a made-up token from an address out of failed authentications, and still those of known tokens', async () => {
    const known = await createRun(stack.tokens.otherOrg);
    for (let i = 0; i < 2; i += 1) {
      expect((await http('PATCH', `${stack.ingestUrl}/api/elt/runs/${known}`, { status: 'running' }, bearer(`rst_made_up_${i}`))).status).toBe(401);
    }
    const answer = await headWithoutBody(stack.ingestUrl, `/api/elt/runs/${known}`, bearer('rst_made_up_again'), 150_000);
    expect(answer).toMatch(/^HTTP\/1\.1 429 /);
    expect((await http('PATCH', `${stack.ingestUrl}/api/elt/runs/${known}`, { status: 'running' }, bearer(stack.tokens.otherOrg))).status).toBe(202);
  });
});
