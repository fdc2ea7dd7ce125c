import { bearer, startStack, Stack } from '../support/stack';

/** Values no numeric parameter accepts: each must be a 400 naming the parameter, never a 500. */
const BAD_NUMBERS = ['1e300', '-0', '-1', '1.5', '0x10', '%201', '', 'NaN', 'Infinity', '99999999999999999999'];
/** Timestamps `new Date` or ClickHouse would misread (or not read at all). */
const BAD_TIMESTAMPS = [
  '2026-W09',
  '20260226T0700Z',
  '2026-02-26',
  '2026-02-30T00:00:00Z',
  '2026-02-26T23:59:60Z',
  '2026-02-26T24:00:00Z',
  '1969-12-31T23:59:59Z',
  '2300-01-01T00:00:00Z',
  'yesterday',
];
const BAD_DATES = ['2026-W09', '20260226', '2026-02-30', '2025-02-29', '1969-12-31', '2149-06-07', '2026-2-6'];

describe('read API input bounds', () => {
  let stack: Stack;
  let user: Record<string, string>;
  const project = '/api/v1/projects/proj_bounds';
  /** One request; a 429 of the platform's per-token rate limit is waited out, as a client would. */
  async function get<T>(path: string): Promise<{ status: number; body: T & { message?: string } }> {
    for (;;) {
      const response = await fetch(`${stack.queryUrl}${path}`, { headers: user });
      const text = await response.text();
      if (response.status !== 429) return { status: response.status, body: (text ? JSON.parse(text) : {}) as T & { message?: string } };
      await new Promise((resolve) => setTimeout(resolve, 1000 * Number(response.headers.get('retry-after') ?? 1)));
    }
  }

  beforeAll(async () => {
    stack = await startStack('query-input');
    user = bearer(stack.tokens.user);
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function expectRefused(path: string, field: string): Promise<void> {
    const response = await get<{ errors?: { field: string }[] }>(path);
    expect({ path, status: response.status }).toEqual({ path, status: 400 });
    expect({ path, message: response.body.message }).toEqual({ path, message: expect.stringContaining(field) });
  }

  it('refuses every malformed number on every numeric parameter, naming it', async () => {
    const cases: [string, string][] = [
      [`${project}/runs?page=`, 'page'],
      [`${project}/runs?limit=`, 'limit'],
      [`${project}/model-executions?page=`, 'page'],
      [`${project}/model-executions?limit=`, 'limit'],
      [`${project}/runs/daily-stats?days=`, 'days'],
      ['/v1/executions/stats?granularity=daily&to=86400000&from=', 'from'],
      ['/v1/executions/stats?granularity=daily&from=0&to=', 'to'],
    ];
    for (const [prefix, field] of cases) {
      for (const value of BAD_NUMBERS) await expectRefused(`${prefix}${value}`, field);
    }
    await expectRefused(`${project}/runs?page=0`, 'page');
    await expectRefused(`${project}/runs?limit=501`, 'limit');
    await expectRefused(`${project}/runs/daily-stats?days=366`, 'days');
  });

  it('refuses a repeated parameter, naming it', async () => {
    await expectRefused(`${project}/runs?page=1&page=2`, 'page');
    await expectRefused(`${project}/model-executions?limit=1&limit=2`, 'limit');
    await expectRefused(`${project}/runs?status=success&status=failed`, 'status');
    await expectRefused(`/v1/executions/stats?granularity=daily&from=0&from=1&to=86400000`, 'from');
    // That route's answers are an envelope; its errors carry the envelope's fields too.
    const refused = await get<{ code?: number; data?: unknown; requestId?: string }>(`/v1/executions/stats?granularity=weekly&from=0&to=1`);
    expect(refused.body).toMatchObject({ code: 400, data: null, requestId: expect.any(String), statusCode: 400 });
    const unauthorized = await fetch(`${stack.queryUrl}/v1/executions/stats?granularity=daily&from=0&to=1`, { headers: bearer('not-a-token') });
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toMatchObject({ code: 401, data: null, requestId: expect.any(String) });
  });

  it('refuses a project id over 128 characters on every project route, naming it', async () => {
    const long = `/api/v1/projects/${'p'.repeat(129)}`;
    for (const route of ['runs', 'runs/daily-stats', 'model-executions', 'model-executions/stats', 'model-executions/stats/some.model']) {
      await expectRefused(`${long}/${route}`, 'id');
    }
  });

  it('answers pages at any depth: past the last, an empty list; only a page number beyond any offset is refused', async () => {
    for (const path of [`${project}/runs?page=2002&limit=50`, `${project}/runs?page=500000&limit=500&include_stats=false`]) {
      const response = await get<{ runs: unknown[]; pagination: { page: number } }>(path);
      expect(response.status).toBe(200);
      expect(response.body.runs).toEqual([]);
    }
    const executions = await get<{ executions: unknown[] }>(`${project}/model-executions?page=202&limit=500`);
    expect(executions.status).toBe(200);
    expect(executions.body.executions).toEqual([]);
    for (const path of [`${project}/runs?page=10000001`, `${project}/runs?page=1e300`, `${project}/model-executions?page=1e300`]) {
      const response = await get(path);
      expect(response.status).toBe(400);
      expect(response.body.message).toContain('page');
    }
  });

  it('accepts only RFC 3339 timestamps within 1970-2299 and real dates, naming the parameter', async () => {
    for (const value of BAD_TIMESTAMPS) {
      await expectRefused(`${project}/runs?updated_after=${encodeURIComponent(value)}`, 'updated_after');
      await expectRefused(`${project}/model-executions?updated_after=${encodeURIComponent(value)}`, 'updated_after');
    }
    for (const value of BAD_DATES) {
      await expectRefused(`${project}/model-executions/stats?start_date=${value}`, 'start_date');
      await expectRefused(`${project}/model-executions/stats/some.model?end_date=${value}`, 'end_date');
    }
    for (const edge of ['1970-01-01T00:00:00Z', '2299-12-31T23:59:59.999Z', '2026-02-26T07:00:00%2B01:00']) {
      expect((await get<{ total: number }>(`${project}/runs?updated_after=${edge}`)).status).toBe(200);
    }
    // Python's isoformat() pasted into a URL unencoded: the query string decodes its `+` as a space.
    for (const list of ['runs', 'model-executions']) {
      const encoded = await get<{ pagination?: unknown; total?: number }>(`${project}/${list}?updated_after=2026-02-26T06:00:00.123456%2B00:00`);
      const pasted = await get<{ pagination?: unknown; total?: number }>(`${project}/${list}?updated_after=2026-02-26T06:00:00.123456+00:00`);
      expect(pasted.status).toBe(200);
      expect(pasted.body).toEqual(encoded.body);
    }
    expect((await get(`${project}/model-executions/stats?start_date=1970-01-01&end_date=2149-06-06`)).status).toBe(200);
  });

  it('answers a from..to of any size with a quick 400, building nothing', async () => {
    const attacks = [
      'from=0&to=8640000000000000&granularity=hourly',
      'from=0&to=10413791999999&granularity=hourly',
      'from=0&to=10413791999999&granularity=daily',
    ];
    const rssBefore = process.memoryUsage().rss;
    for (const attack of attacks) {
      const response = await get(`/v1/executions/stats?${attack}`);
      expect(response.status).toBe(400);
      expect(response.body.message).toContain('to');
    }
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
    const hour = 3_600_000;
    expect((await get(`/v1/executions/stats?from=0&to=${744 * hour}&granularity=hourly`)).status).toBe(200);
    expect((await get(`/v1/executions/stats?from=0&to=${744 * hour + 1}&granularity=hourly`)).status).toBe(400);
    expect((await get('/v1/executions/stats?from=10413791999998&to=10413791999999&granularity=hourly')).status).toBe(200);
  });

  it('never answers 500, whatever the parameters', async () => {
    const values = ['1e300', '-0', '', '%00', '%ff', 'null', '[]', '{}', "'", '2026-W09', 'x'.repeat(600)];
    const names = [
      'page',
      'limit',
      'days',
      'updated_after',
      'start_date',
      'end_date',
      'status',
      'job_type',
      'cronjob_name',
      'model_name',
      'include_stats',
      'from',
      'to',
      'granularity',
    ];
    const paths = [
      `${project}/runs`,
      `${project}/runs/daily-stats`,
      `${project}/model-executions`,
      `${project}/model-executions/stats`,
      '/v1/executions/stats',
    ];
    for (const path of paths) {
      for (const name of names) {
        for (const value of values) {
          const response = await get(`${path}?${name}=${value}`);
          expect({ path, name, value, status: [200, 400].includes(response.status) }).toEqual({ path, name, value, status: true });
        }
      }
    }
  });
});
