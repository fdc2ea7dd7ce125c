import { createClient } from '@clickhouse/client';
import { BI_VIEWS, biDatabaseFor, ClickHouseStore, insertWebhookAttempts, toChDateTime } from '@runstream/clickhouse';
import { eventually, http } from '@runstream/testing';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { freePort } from '../../../../test/faults/support/ports';
import { bearer, startStack, Stack } from '../../../../test/support/stack';
import { decompressNative } from './clickhouse-compression';
import { hostileQueries } from './hostile-queries';

const run = promisify(execFile);

/** PostgreSQL percentile_cont: linear interpolation between closest ranks. */
function percentileCont(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  return sorted[Math.floor(rank)] + (sorted[Math.ceil(rank)] - sorted[Math.floor(rank)]) * (rank - Math.floor(rank));
}

const MARKER = 'zz_other_org_secret_marker';

/** Resolves the driver with Maven (jdbc/pom.xml) and compiles jdbc/BiJdbc.java; both need a JDK and Maven Central. */
async function compileJdbcProbe(): Promise<{ classpath: string; classes: string }> {
  const work = await mkdtemp(join(tmpdir(), 'bi-jdbc-'));
  const project = join(__dirname, 'jdbc');
  await run('mvn', ['-q', '-f', join(project, 'pom.xml'), 'dependency:build-classpath', `-Dmdep.outputFile=${join(work, 'classpath.txt')}`], {
    timeout: 300_000,
  });
  const classpath = (await readFile(join(work, 'classpath.txt'), 'utf8')).trim();
  await run('javac', ['-d', work, '-cp', classpath, join(project, 'BiJdbc.java')], { timeout: 120_000 });
  return { classpath, classes: work };
}

/** Two organisations, written through the write API; BI connections of the first must never see the second. */
describe('SQL endpoint for BI tools: isolation and real clients', () => {
  let stack: Stack;
  let sqlUrl: string;
  let orgA: string;
  let orgB: string;
  let base: string;
  const projectId = 'proj_bi';
  const durations = [120.5, 98.2, 456.7, 300, 289.1];

  const sql = (query: string, token: string, user: string, params: Record<string, string> = {}) => {
    const url = new URL(sqlUrl);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(`param_${name}`, value);
    return fetch(url, { method: 'POST', body: query, headers: { authorization: `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}` } });
  };

  beforeAll(async () => {
    const port = await freePort();
    stack = await startStack('bi-sql', { QUERY_SQL_PORT: String(port), HTTP_RECEIVE_TIMEOUT_MS: '3000' });
    sqlUrl = `http://127.0.0.1:${port}/`;
    orgA = stack.orgId;
    orgB = `${stack.orgId}_other`;
    base = stack.env.CLICKHOUSE_DATABASE as string;
    const seed = async (token: string, names: string, seconds: number[]) => {
      const write = (method: string, path: string, body: unknown) => http<{ id: string }>(method, `${stack.ingestUrl}${path}`, body, bearer(token));
      for (const [i, duration] of seconds.entries()) {
        const { body } = await write('POST', '/api/elt/runs', {
          projectId,
          jobName: `${names}-${i}`,
          cronjobName: 'nightly',
          jobType: 'run',
          triggeredBy: 'scheduled',
        });
        const start = Date.now() - 3_600_000;
        await write('PATCH', `/api/elt/runs/${body.id}`, {
          status: 'running',
          startedAt: new Date(start).toISOString(),
          appendLog: { level: 'info', message: `${names} log` },
          appendTelemetrySample: { rowsLoaded: 10 },
        });
        await write('PATCH', `/api/elt/runs/${body.id}`, {
          status: i === 1 ? 'failed' : 'succeeded',
          finishedAt: new Date(start + duration * 1000).toISOString(),
        });
        const began = Date.now() - 7_200_000;
        await write('POST', `/api/elt/runs/${body.id}/model-executions`, {
          executions: [
            {
              model_name: `${names}.model`,
              status: 'success',
              started_at: new Date(began).toISOString(),
              completed_at: new Date(began + duration * 100).toISOString(),
              rows_processed: 10,
            },
          ],
        });
      }
    };
    await seed(stack.tokens.user, 'bi-a', durations);
    await seed(stack.tokens.otherOrg, MARKER, [1, 2, 3]);
    // One delivery attempt per organisation, as the notifier records them (its own tests deliver real ones).
    const attempt = (orgId: string, name: string, status: 'delivered' | 'pending') => ({
      org_id: orgId,
      project_id: projectId,
      job_id: `job_${name}`,
      run_id: `run_${name}`,
      outcome: 'success',
      delivery_id: `msg_${name}_${status}`,
      channel: 'webhook' as const,
      kafka_partition: 0,
      endpoint: `https://hooks.example/${name}`,
      attempt: 1,
      status,
      response_code: status === 'delivered' ? 200 : 0,
      error: '',
      duration_ms: 12,
      attempted_at: toChDateTime(new Date()),
      next_attempt_at: null,
    });
    await insertWebhookAttempts(stack.materializer.get(ClickHouseStore), [
      attempt(orgA, 'bi-a', 'delivered'),
      attempt(orgA, 'bi-a', 'pending'),
      attempt(orgB, MARKER, 'delivered'),
    ]);
    for (const token of [stack.tokens.user, stack.tokens.otherOrg]) {
      await eventually(
        async () => {
          const list = await http<{ runs: { status: string }[]; total: number }>(
            'GET',
            `${stack.queryUrl}/api/v1/projects/${projectId}/runs?limit=100`,
            undefined,
            bearer(token),
          );
          const executions = await http<{ total: number }>('GET', `${stack.queryUrl}/api/v1/projects/${projectId}/model-executions`, undefined, bearer(token));
          return list.body.total > 0 && list.body.runs.every((r) => r.status !== 'running') && executions.body.total === list.body.total ? true : undefined;
        },
        'both organisations materialized',
        60_000,
      );
    }
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('answers @clickhouse/client with its own organisation’s rows of every view, numbers equal to the read API', async () => {
    const client = createClient({ url: sqlUrl, username: orgA, password: stack.tokens.user, database: base });
    try {
      for (const view of Object.keys(BI_VIEWS)) {
        const rows = await (await client.query({ query: `SELECT * FROM ${view}`, format: 'JSONEachRow' })).json<{ org_id: string }>();
        if (view !== 'jobs_current') expect(rows.length).toBeGreaterThan(0);
        expect(rows.every((row) => row.org_id === orgA)).toBe(true);
      }
      // The delivery log shows attempts made, not the notifier's queue of pending ones.
      const deliveries = await (await client.query({ query: 'SELECT delivery_id, status FROM webhook_delivery_attempts', format: 'JSONEachRow' })).json();
      expect(deliveries).toEqual([{ delivery_id: 'msg_bi-a_delivered', status: 'delivered' }]);
      const [bi] = await (
        await client.query({
          query:
            'SELECT toString(day) AS day, total_runs, failed_count, round(p95_duration_seconds, 3) AS p95 FROM run_daily_stats WHERE project_id = {p:String} ORDER BY day DESC LIMIT 1',
          query_params: { p: projectId },
          format: 'JSONEachRow',
        })
      ).json<{ day: string; total_runs: string; failed_count: string; p95: number }>();
      const api = await http<{ daily_stats: { date: string; total_runs: number; failed_count: number; p95_duration_seconds: number }[] }>(
        'GET',
        `${stack.queryUrl}/api/v1/projects/${projectId}/runs/daily-stats`,
        undefined,
        bearer(stack.tokens.user),
      );
      const today = api.body.daily_stats.find((d) => d.date === bi.day);
      expect(today).toMatchObject({ total_runs: Number(bi.total_runs), failed_count: Number(bi.failed_count), p95_duration_seconds: bi.p95 });
      expect(bi.p95).toBe(Math.round(percentileCont(durations, 0.95) * 1000) / 1000);
      const result = await client.query({ query: 'SELECT count() AS n FROM runs_current', format: 'JSON' });
      expect(result.response_headers['x-clickhouse-format']).toBe('JSON');
      expect(result.response_headers['x-clickhouse-query-id']).toBe(result.query_id);
      expect(Number((await result.json<{ n: string }>()).data[0].n)).toBe(durations.length);
      expect(await client.ping()).toMatchObject({ success: true });
    } finally {
      await client.close();
    }
  });

  it('answers curl with FORMAT CSVWithNames, gzip when asked, and only its own organisation’s rows', async () => {
    for (const [token, org] of [
      [stack.tokens.user, orgA],
      [stack.tokens.otherOrg, orgB],
    ]) {
      for (const view of Object.keys(BI_VIEWS)) {
        const { stdout } = await run('curl', [
          '-sS',
          '--fail-with-body',
          '--compressed',
          '-u',
          `${org}:${token}`,
          `${sqlUrl}?enable_http_compression=1`,
          '--data-binary',
          `SELECT org_id FROM ${view} FORMAT CSVWithNames`,
        ]);
        const [header, ...lines] = stdout.trim().split('\n');
        expect(header).toBe('"org_id"');
        expect(lines.every((line) => line === `"${org}"`)).toBe(true);
        if (view !== 'jobs_current') expect(lines.length).toBeGreaterThan(0);
      }
    }
  });

  it('answers the official JDBC driver (com.clickhouse:jdbc-v2, a Java program compiled here) with its own organisation’s rows, in its default LZ4 compression and without', async () => {
    const { classpath, classes } = await compileJdbcProbe();
    const jdbc = async (options: string, queries: string[]) => {
      const url = `jdbc:clickhouse:${sqlUrl.replace(/\/$/, '')}/${base}${options}`;
      const { stdout } = await run('java', ['-cp', `${classes}:${classpath}`, 'BiJdbc', url, orgA, stack.tokens.user, ...queries], { timeout: 60_000 });
      const results = stdout
        .trim()
        .replace(/\n--$/, '')
        .split('\n--\n')
        .map((block) => block.split('\n'));
      expect(results).toHaveLength(queries.length);
      return results;
    };
    const views = Object.keys(BI_VIEWS);
    const p95 = "SELECT toString(round(p95_duration_seconds, 3)) AS p95 FROM run_daily_stats WHERE project_id = 'proj_bi' ORDER BY day DESC LIMIT 1";
    // The driver's defaults: compress=1, so answers and errors arrive in ClickHouse's LZ4 blocks (refused credentials, 401/403, plain).
    const results = await jdbc('', [
      ...views.map((view) => `SELECT org_id FROM ${view}`),
      p95,
      '!SELECT no_such_column FROM runs_current',
      `!SELECT org_id FROM ${base}.runs`,
    ]);
    for (const [i, view] of views.entries()) {
      const [header, ...rows] = results[i];
      expect(header).toBe('org_id');
      expect(rows.every((row) => row === orgA)).toBe(true);
      if (view !== 'jobs_current') expect(rows.length).toBeGreaterThan(0);
    }
    expect(Number(results[views.length][1])).toBe(Math.round(percentileCont(durations, 0.95) * 1000) / 1000);
    // The errors read whole: a compressed error read as plain text would carry the checksum's binary bytes.
    expect(results[views.length + 1]).toEqual([expect.stringMatching(/^error\t.*no_such_column.*\(UNKNOWN_IDENTIFIER\)/)]);
    expect(results[views.length + 2]).toEqual([expect.stringMatching(/^error\t.*\(ACCESS_DENIED\)/)]);
    const binary = (line: string) => [...line].some((char) => char === '\ufffd' || (char.charCodeAt(0) < 0x20 && char !== '\t'));
    expect(results.slice(views.length + 1).map(([line]) => binary(line))).toEqual([false, false]);
    // compress=0 (no block compression), and decompress=1 with LZ4 (the driver sends the query in blocks too; its default method for that is ZSTD).
    for (const options of ['?compress=0', '?decompress=1&compression.method=LZ4']) {
      const [[header, ...rows]] = await jdbc(options, ['SELECT org_id FROM runs_current']);
      expect({ options, header, rows: rows.length > 0 && rows.every((row) => row === orgA) }).toEqual({ options, header: 'org_id', rows: true });
    }
    // What the driver received: the answer in blocks (method 0x82, LZ4), content type unchanged, no Content-Encoding.
    const native = await fetch(`${sqlUrl}?compress=1`, {
      method: 'POST',
      body: 'SELECT org_id FROM runs_current LIMIT 1 FORMAT JSONEachRow',
      headers: bearer(stack.tokens.user),
    });
    const body = Buffer.from(await native.arrayBuffer());
    expect({ status: native.status, method: body[16], encoding: native.headers.get('content-encoding') }).toEqual({
      status: 200,
      method: 0x82,
      encoding: null,
    });
    expect(native.headers.get('content-type')).toContain('application/x-ndjson');
    expect(JSON.parse((await decompressNative(body, 1 << 20)).toString())).toEqual({ org_id: orgA });
  });

  it('serves the formats BI clients ask for, with their X-ClickHouse headers', async () => {
    for (const format of ['JSON', 'JSONEachRow', 'TabSeparatedWithNamesAndTypes', 'CSVWithNames', 'RowBinaryWithNamesAndTypes']) {
      const response = await sql(`SELECT org_id, count() AS n FROM runs_current GROUP BY org_id FORMAT ${format}`, stack.tokens.user, orgA);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-clickhouse-format')).toBe(format);
      expect(JSON.parse(response.headers.get('x-clickhouse-summary') ?? '')).toHaveProperty('read_rows');
      const body = Buffer.from(await response.arrayBuffer());
      expect(body.includes(orgA)).toBe(true);
      expect(body.includes(MARKER) || body.includes(orgB)).toBe(false);
    }
    const get = await fetch(`${sqlUrl}?query=${encodeURIComponent('SELECT 1 AS one')}&default_format=JSONEachRow`, {
      headers: { 'x-clickhouse-user': orgA, 'x-clickhouse-key': stack.tokens.user },
    });
    expect(await get.text()).toBe('{"one":1}\n');
    const bearerAuth = await fetch(sqlUrl, { method: 'POST', body: 'SELECT count() FROM runs_current', headers: bearer(stack.tokens.user) });
    expect(await bearerAuth.text()).toBe(`${durations.length}\n`);
  });

  it('never answers one organisation with a parameter value another organisation’s statements bound', async () => {
    // Organisation B binds values in the SQL endpoint and in the read API (org_id, project_id, id…).
    for (let i = 0; i < 4; i++) {
      expect((await sql('SELECT {secret:String} AS s', stack.tokens.otherOrg, orgB, { secret: MARKER })).status).toBe(200);
      await http('GET', `${stack.queryUrl}/api/v1/projects/${projectId}/runs?limit=5`, undefined, bearer(stack.tokens.otherOrg));
    }
    // Organisation A names those parameters without giving them: a 4xx every time, never B's values.
    for (let i = 0; i < 8; i++) {
      const answer = await sql('SELECT {secret:String} AS s, {org_id:String} AS o, {project_id:String} AS p', stack.tokens.user, orgA);
      const body = await answer.text();
      expect({ status: answer.status, leaked: body.includes(MARKER) || body.includes(orgB) }).toEqual({ status: expect.any(Number), leaked: false });
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
    }
  });

  it('checks a query again whenever a parameter value changes: an approval for one table is never reused for another', async () => {
    // ClickHouse's parser skips comments and spaces inside {name:Identifier}; the approval must not rely on spotting it.
    for (const text of [
      'SELECT * FROM {d/**/:Identifier}.{t/**/:Identifier}',
      'SELECT * FROM {d:/* */Identifier}.{t:/* */Identifier}',
      'SELECT * FROM {d:Identifier/**/}.{t:Identifier/**/}',
    ]) {
      const approved = await sql(text, stack.tokens.user, orgA, { d: 'system', t: 'one' });
      expect({ text, status: approved.status }).toEqual({ text, status: 200 });
      await approved.arrayBuffer();
      for (const t of ['runs', 'jobs', 'api_tokens']) {
        const response = await sql(text, stack.tokens.user, orgA, { d: base, t });
        const body = await response.text();
        expect({ text, t, status: response.status, leaked: body.includes(MARKER) || body.includes(orgB) }).toEqual({ text, t, status: 403, leaked: false });
      }
    }
  });

  it('answers 408 and closes a connection whose body trickles in, as the read API does', async () => {
    const { port } = new URL(sqlUrl);
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write(`POST / HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-length: 100000\r\n\r\nS`);
    const trickle = setInterval(() => socket.write('E'), 500);
    try {
      await closed;
    } finally {
      clearInterval(trickle);
    }
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('refuses wrong credentials with ClickHouse-style 401/403 errors', async () => {
    expect((await sql('SELECT 1', stack.tokens.user, orgB)).status).toBe(401);
    expect((await sql('SELECT 1', 'rst_not_a_token', orgA)).status).toBe(401);
    expect((await fetch(sqlUrl, { method: 'POST', body: 'SELECT 1' })).status).toBe(401);
    const gateway = await sql('SELECT 1', stack.tokens.gateway, orgA);
    expect(gateway.status).toBe(403);
    expect(await gateway.text()).toMatch(/^Code: 497\. DB::Exception: .*\(ACCESS_DENIED\)\n$/);
    const setting = await fetch(`${sqlUrl}?max_result_rows=0`, { method: 'POST', body: 'SELECT 1', headers: bearer(stack.tokens.user) });
    expect(setting.status).toBe(403);
    expect(await setting.text()).toContain('(READONLY)');
  });

  it('answers each of more than 100 hostile queries, however delivered, with the caller’s rows only or a clear 4xx, never a 5xx', async () => {
    const queries = hostileQueries(orgB, base);
    expect(queries.length).toBeGreaterThanOrEqual(100);
    const outcomes: string[] = [];
    for (const query of queries) {
      const response = await sql(query, stack.tokens.user, orgA, { p: '1', t: `${base}.runs` });
      const body = Buffer.from(await response.arrayBuffer()).toString('latin1');
      outcomes.push(`${response.status} ${query.slice(0, 70).replace(/\s+/g, ' ')} => ${body.slice(0, 110).replace(/\s+/g, ' ')}`);
      expect({ query, status: response.status < 500 || (response.status === 503 && /TIMEOUT|MEMORY/.test(body)) }).toEqual({ query, status: true });
      expect({ query, leaked: body.includes(MARKER) || body.includes(orgB) || body.includes('root:x:0') }).toEqual({ query, leaked: false });
      if (response.status !== 200) expect({ query, body: /^Code: \d+\. DB::Exception: /.test(body) }).toEqual({ query, body: true });
    }
    // The same attempts through the other ways a query arrives: GET ?query=, a gzip body, split between URL and body.
    const auth = { authorization: `Basic ${Buffer.from(`${orgA}:${stack.tokens.user}`).toString('base64')}` };
    const deliveries = [
      () => fetch(`${sqlUrl}?query=${encodeURIComponent(`SELECT * FROM ${base}.runs WHERE org_id = '${orgB}'`)}`, { headers: auth }),
      () => fetch(`${sqlUrl}?query=${encodeURIComponent('SELECT 1;')}`, { method: 'POST', body: `DROP TABLE ${base}.runs`, headers: auth }),
      () =>
        fetch(`${sqlUrl}?query=${encodeURIComponent('SELECT org_id FROM runs_current UNION ALL')}`, {
          method: 'POST',
          body: `SELECT org_id FROM ${base}.runs`,
          headers: auth,
        }),
      () => fetch(sqlUrl, { method: 'POST', body: gzipSync(`SELECT 1; SELECT * FROM ${base}.runs`), headers: { ...auth, 'content-encoding': 'gzip' } }),
      () =>
        fetch(`${sqlUrl}?param_org=${encodeURIComponent(`${orgA}' OR '1'='1`)}`, {
          method: 'POST',
          body: 'SELECT org_id FROM runs_current WHERE org_id = {org:String}',
          headers: auth,
        }),
      () =>
        fetch(`${sqlUrl}?param_t=${encodeURIComponent(`${base}.runs`)}`, {
          method: 'POST',
          body: 'SELECT toUInt8((SELECT any(org_id) FROM {t:Identifier}))',
          headers: auth,
        }),
      () => fetch(`${sqlUrl}?database=${base}&readonly=0`, { method: 'POST', body: 'SELECT * FROM runs', headers: auth }),
      () => fetch(`${sqlUrl}?database=${biDatabaseFor(orgB)}`, { method: 'POST', body: 'SELECT * FROM runs_current', headers: auth }),
    ];
    for (const [i, deliver] of deliveries.entries()) {
      const response = await deliver();
      const body = await response.text();
      expect({ i, status: response.status < 500, leaked: body.includes(MARKER) || body.includes(orgB) }).toEqual({ i, status: true, leaked: false });
    }
    // Nothing those queries tried changed anything: both organisations still have all their runs.
    for (const [token, n] of [
      [stack.tokens.user, durations.length],
      [stack.tokens.otherOrg, 3],
    ] as const) {
      const list = await http<{ total: number }>('GET', `${stack.queryUrl}/api/v1/projects/${projectId}/runs`, undefined, bearer(token));
      expect(list.body.total).toBe(n);
    }
    expect(outcomes.filter((line) => line.startsWith('200')).length).toBeGreaterThan(0);
    if (process.env.BI_OUTCOMES) writeFileSync(process.env.BI_OUTCOMES, outcomes.join('\n'));
  });
});
