import { ClickHouseSettings, TupleParam } from '@clickhouse/client';
import { z } from 'zod';
import { anyRow, column } from './columns';
import { isolatedEnv } from '@runstream/testing';
import { classifyClickHouseFailure } from './clickhouse-failure';
import { NoFreeSessionError } from './connections';
import { ClickHouseStore, openClickHouse } from './store';

/** The tests of chDB's sessions, skipped (saying so) against a server, whose HTTP requests share no session. */
const onEmbeddedChDb = process.env.CLICKHOUSE_URL ? it.skip : it;
const EMBEDDED_ONLY = 'embedded chDB only, skipped against a ClickHouse server';

/** Parameters and settings as a store passes them, on a real engine (embedded chDB unless CLICKHOUSE_URL is set). */
describe('statements on a real ClickHouse engine', () => {
  let store: ClickHouseStore;

  beforeAll(() => {
    const env = isolatedEnv('connections');
    store = openClickHouse({ url: env.CLICKHOUSE_URL, path: env.CLICKHOUSE_PATH ?? '', database: env.CLICKHOUSE_DATABASE ?? '', sessions: 2 });
  });

  afterAll(async () => {
    await store.close();
  });

  const hostile = [
    '',
    "it's",
    'back\\slash',
    "\\' OR 1=1 --",
    'tab\there\nnew line\r\0nul',
    '\\N',
    'emoji 🦀 and é',
    "'; DROP TABLE runs; --",
    '{db:Identifier}',
  ];

  it('binds every string exactly as given', async () => {
    for (const value of hostile) {
      const [row] = await store.query(
        z.object({ value: z.string(), bytes: z.string() }),
        'SELECT {value:String} AS value, toString(length({value:String})) AS bytes',
        { value },
      );
      expect(row).toEqual({ value, bytes: String(Buffer.byteLength(value)) });
    }
  });

  it("refuses a caller's answer whose formatted bytes pass max_result_bytes, though the engine's column bytes stay under it", async () => {
    const bounded = new ClickHouseStore(store.connections, store.database, { max_result_bytes: '100000', result_overflow_mode: 'throw' });
    // 60,000 control characters: ~60 KB in the engine's column, ~360 KB as JSON (each one \u0001).
    const sql = 'SELECT repeat(char(1), 60000) AS text';
    const error = await bounded.raw(sql, {}, 'JSON').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^Code: 396\. DB::Exception: Limit for result exceeded, max bytes: 100000 of the formatted answer.*\(TOO_MANY_ROWS_OR_BYTES\)$/,
    );
    expect(classifyClickHouseFailure(error)?.status).toBe(422);
    // The same under the bound as TabSeparatedRaw (the bytes as they are).
    expect((await bounded.raw(sql, {}, 'TabSeparatedRaw')).body.length).toBe(60_001);
  });

  it('reads 64-bit integers exactly, as decimal text, where JSON numbers would round them', async () => {
    const [row] = await store.query(
      z.object({ big: column.uint64, count: column.count }),
      'SELECT toUInt64(18446744073709551615) AS big, count() AS count FROM numbers(3)',
    );
    expect(row).toEqual({ big: '18446744073709551615', count: 3 });
  });

  it('binds arrays, tuples, numbers and NULL', async () => {
    const [row] = await store.query(
      z.object({ strings: z.array(z.string()), pairs: z.array(z.tuple([z.string(), z.number()])), big: z.string(), missing: z.string() }),
      `SELECT {strings:Array(String)} AS strings, {pairs:Array(Tuple(String, UInt32))} AS pairs,
              toString({big:UInt64}) AS big, toString({missing:Nullable(String)} IS NULL) AS missing`,
      { strings: hostile, pairs: [new TupleParam(["a'b", 1]), new TupleParam(['c\\d', 2])], big: '18446744073709551615', missing: null },
    );
    expect(row).toEqual({
      strings: hostile,
      pairs: [
        ["a'b", 1],
        ['c\\d', 2],
      ],
      big: '18446744073709551615',
      missing: '1',
    });
  });

  it('runs each statement under exactly its own settings', async () => {
    const setting = async (settings?: { max_result_rows: string }) =>
      (await store.query(z.object({ value: z.string() }), "SELECT toString(getSetting('max_result_rows')) AS value", {}, settings))[0].value;
    // Both sessions hold the setting, then neither does.
    await Promise.all([setting({ max_result_rows: '7' }), setting({ max_result_rows: '7' })]);
    expect(await Promise.all([setting(), setting()])).toEqual(['0', '0']);
    expect(await setting({ max_result_rows: '9' })).toBe('9');
  });

  it('sets again, after a failed statement, what that statement set', async () => {
    await expect(store.query(anyRow, 'SELECT throwIf(1)', {}, { max_result_rows: '3' })).rejects.toThrow();
    const values = await Promise.all(
      [1, 2].map(async () => (await store.query(z.object({ value: z.string() }), "SELECT toString(getSetting('max_result_rows')) AS value"))[0].value),
    );
    expect(values).toEqual(['0', '0']);
  });

  it('binds a parameter longer than the engine takes in one statement by default', async () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `run_${String(i).padStart(40, '0')}`);
    const [row] = await store.query(z.object({ n: z.string() }), 'SELECT toString(length({ids:Array(String)})) AS n', { ids });
    expect(row.n).toBe('10000');
  });

  it("runs every insert under the store's insert settings", async () => {
    await store.command('CREATE DATABASE IF NOT EXISTS {db:Identifier}');
    await store.command('CREATE TABLE IF NOT EXISTS {db:Identifier}.insert_settings (n UInt8) ENGINE = MergeTree ORDER BY n');
    // A setting the engine does not know makes its refusal name it: the store's insert settings reach it.
    const strict = new ClickHouseStore(store.connections, store.database, {}, undefined, { runstream_no_such_setting: 1 } as ClickHouseSettings);
    await expect(strict.insert('insert_settings', [{ n: 1 }])).rejects.toThrow(/runstream_no_such_setting/);
    const plain = new ClickHouseStore(store.connections, store.database, {}, undefined, { insert_deduplicate: 0 });
    await plain.insert('insert_settings', [{ n: 2 }]);
    const [row] = await store.query(z.object({ n: z.string() }), 'SELECT toString(count()) AS n FROM {db:Identifier}.insert_settings');
    expect(row.n).toBe('1');
  });

  it('runs a caller’s SQL (raw) without the parameters, settings or current database other statements left on a session', async () => {
    // Both pooled sessions hold another organisation's parameter and a setting.
    await Promise.all([1, 2].map(() => store.query(anyRow, 'SELECT {secret:String} AS s', { secret: 'org-a-secret' }, { max_result_rows: '7' })));
    const text = async (sql: string) => (await store.raw(sql, {}, 'TabSeparatedRaw')).body.toString('utf8').trim();
    await expect(text('SELECT {secret:String}')).rejects.toThrow(/secret/);
    expect(await text("SELECT getSetting('max_result_rows')")).toBe('0');
  });

  onEmbeddedChDb(`keeps what a caller's SQL sets on a session with that statement (${EMBEDDED_ONLY})`, async () => {
    const text = async (sql: string) => (await store.raw(sql, {}, 'TabSeparatedRaw')).body.toString('utf8').trim();
    expect(await text("USE system; SET param_secret = 'mine'; SELECT {secret:String}")).toBe('mine');
    await expect(text('SELECT {secret:String}')).rejects.toThrow(/secret/);
    expect(await text('SELECT currentDatabase()')).toBe('default');
    const [row] = await store.query(z.object({ db: z.string() }), 'SELECT currentDatabase() AS db');
    expect(row.db).toBe('default');
  });

  onEmbeddedChDb(`answers a quick statement while a slow one runs (${EMBEDDED_ONLY})`, async () => {
    const finished: string[] = [];
    const slow = store.query(anyRow, 'SELECT sleep(1.5) FROM numbers({n:UInt8})', { n: 1 }).then(() => finished.push('slow'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await store.query(anyRow, 'SELECT {x:String}', { x: 'quick' }).then(() => finished.push('quick'));
    await slow;
    // chDB's bound-parameter call ran one statement at a time for the whole process: quick came second.
    expect(finished).toEqual(['quick', 'slow']);
  });

  onEmbeddedChDb(`refuses a statement, as a 503, once every session is busy and the waiting line is full (${EMBEDDED_ONLY})`, async () => {
    const env = isolatedEnv('connections-queue');
    const small = openClickHouse({ path: env.CLICKHOUSE_PATH ?? '', database: env.CLICKHOUSE_DATABASE ?? '', sessions: 1, maxQueuedStatements: 2 });
    try {
      const slow = small.query(anyRow, 'SELECT sleep(1) FROM numbers({n:UInt8})', { n: 1 });
      const queued = [small.query(anyRow, 'SELECT 1'), small.query(anyRow, 'SELECT 2')];
      const refused = await small.query(anyRow, 'SELECT 3').catch((caught: unknown) => caught);
      expect(refused).toBeInstanceOf(NoFreeSessionError);
      expect(classifyClickHouseFailure(refused)).toMatchObject({ status: 503, retryAfterSeconds: 1 });
      await Promise.all([slow, ...queued]);
      // The line emptied: statements are taken again.
      expect(await small.query(anyRow, 'SELECT 4 AS four')).toEqual([{ four: 4 }]);
    } finally {
      await small.close();
    }
  });
});
