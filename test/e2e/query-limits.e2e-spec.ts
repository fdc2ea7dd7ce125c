import { eventually, http } from '@runstream/testing';
import { bearer, startStack, Stack } from '../support/stack';

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { message?: string; total?: number };
}

async function get(stack: Stack, path: string): Promise<Answer> {
  const response = await fetch(`${stack.queryUrl}${path}`, { headers: bearer(stack.tokens.user) });
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: text ? JSON.parse(text) : {} };
}

describe('query app ClickHouse limits', () => {
  describe('a statement past QUERY_MAX_MEMORY_BYTES', () => {
    let stack: Stack;

    beforeAll(async () => {
      stack = await startStack('query-memory', { QUERY_MAX_MEMORY_BYTES: '1' });
    });

    afterAll(async () => {
      await stack?.close();
    });

    it('is answered 503 with Retry-After, while ingest on the same chDB is unaffected', async () => {
      const write = await http('POST', `${stack.ingestUrl}/api/elt/runs`, { projectId: 'proj_mem', jobName: 'j' }, bearer(stack.tokens.user));
      expect(write.status).toBe(201);
      for (const path of ['/api/v1/projects/proj_mem/runs', '/v1/executions/stats?from=0&to=86400000&granularity=daily']) {
        const answer = await get(stack, path);
        expect(answer.status).toBe(503);
        expect(Number(answer.retryAfter)).toBeGreaterThan(0);
        // The token check is the first statement to hit the limit (the auth guard answers it); handlers' own are mapped by the app's exception filter (classifyClickHouseFailure).
        expect(answer.body.message).toMatch(/memory|retry/);
      }
    });
  });

  describe('result rows and concurrency', () => {
    let stack: Stack;

    beforeAll(async () => {
      stack = await startStack('query-gate', { QUERY_MAX_RESULT_ROWS: '2', QUERY_MAX_CONCURRENT: '1', QUERY_MAX_QUEUED: '2' });
      for (let i = 0; i < 3; i += 1) {
        expect((await http('POST', `${stack.ingestUrl}/api/elt/runs`, { projectId: 'proj_gate', jobName: `j${i}` }, bearer(stack.tokens.user))).status).toBe(
          201,
        );
      }
      await eventually(
        async () => ((await get(stack, '/api/v1/projects/proj_gate/runs?limit=1')).body.total === 3 ? true : undefined),
        'three runs materialized',
      );
    });

    afterAll(async () => {
      await stack?.close();
    });

    it('answers 422 for an answer past QUERY_MAX_RESULT_ROWS instead of cutting it', async () => {
      expect((await get(stack, '/api/v1/projects/proj_gate/runs?limit=2')).status).toBe(200);
      const over = await get(stack, '/api/v1/projects/proj_gate/runs?limit=3');
      expect(over.status).toBe(422);
      expect(over.body.message).toContain('narrow');
    });

    it('turns requests beyond QUERY_MAX_CONCURRENT + QUERY_MAX_QUEUED away with 503 and Retry-After, and recovers', async () => {
      const burst = await Promise.all(Array.from({ length: 40 }, () => get(stack, '/v1/executions/stats?from=0&to=31536000000&granularity=daily')));
      const statuses = burst.map((a) => a.status);
      expect(statuses.every((s) => s === 200 || s === 503 || s === 429)).toBe(true);
      const refused = burst.filter((a) => a.status === 503);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.every((a) => Number(a.retryAfter) > 0 && (a.body.message ?? '').includes('busy'))).toBe(true);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
      expect((await get(stack, '/api/v1/projects/proj_gate/runs?limit=1')).status).toBe(200);
    });
  });
});
