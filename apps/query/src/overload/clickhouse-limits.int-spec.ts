import { classifyClickHouseFailure, ClickHouseStore, openClickHouse, anyRow } from '@runstream/clickhouse';
import { z } from 'zod';
import { isolatedEnv } from '@runstream/testing';
import { loadQueryConfig } from '../config/query.config';

async function failureOf(statement: Promise<unknown>): Promise<unknown> {
  try {
    await statement;
  } catch (error) {
    return error;
  }
  throw new Error('the statement was expected to fail');
}

/** Each limit of the query app's store, provoked on real chDB, and the answer it becomes. */
describe('query limits on ClickHouse', () => {
  const env = isolatedEnv('query-limits');
  let limited: ClickHouseStore;

  const open = (overrides: NodeJS.ProcessEnv): ClickHouseStore => openClickHouse(loadQueryConfig({ ...env, ...overrides }).clickhouse);

  afterEach(async () => {
    await limited?.close();
  });

  it('cancels a statement past QUERY_MAX_EXECUTION_TIME_MS and answers 503 with Retry-After', async () => {
    limited = open({ QUERY_MAX_EXECUTION_TIME_MS: '100' });
    // Counting 10^11 numbers runs far past the limit: the engine's own TIMEOUT_EXCEEDED says it was cut short.
    const error = await failureOf(limited.query(anyRow, 'SELECT count() FROM numbers(100000000000)'));
    expect(error).toMatchObject({ code: '159', type: 'TIMEOUT_EXCEEDED' });
    expect(classifyClickHouseFailure(error)).toMatchObject({ status: 503, retryAfterSeconds: expect.any(Number) });
  });

  it('stops a statement past QUERY_MAX_MEMORY_BYTES and answers 503 with Retry-After', async () => {
    limited = open({ QUERY_MAX_MEMORY_BYTES: String(4 * 1024 * 1024) });
    const error = await failureOf(limited.query(anyRow, 'SELECT groupArray(number) FROM numbers(10000000)'));
    expect(error).toMatchObject({ code: '241', type: 'MEMORY_LIMIT_EXCEEDED' });
    expect(classifyClickHouseFailure(error)).toMatchObject({ status: 503, retryAfterSeconds: expect.any(Number) });
  });

  it('refuses an answer past QUERY_MAX_RESULT_ROWS (never cuts it silently) and answers 422', async () => {
    limited = open({ QUERY_MAX_RESULT_ROWS: '10' });
    expect(await limited.query(anyRow, 'SELECT number FROM numbers(10)')).toHaveLength(10);
    const error = await failureOf(limited.query(anyRow, 'SELECT number FROM numbers({n:UInt32})', { n: 11 }));
    expect(error).toMatchObject({ code: '396', type: 'TOO_MANY_ROWS_OR_BYTES' });
    expect(classifyClickHouseFailure(error)).toMatchObject({ status: 422 });
  });

  it('refuses an answer past QUERY_MAX_RESULT_BYTES, however few its rows, and answers 422', async () => {
    limited = open({ QUERY_MAX_RESULT_BYTES: String(1024 * 1024) });
    // Wide rows read from a table, as a BI query over log lines reads them (ClickHouse checks the
    // limit between blocks, and a constant column would count as one value).
    const admin = limited.unlimited();
    await admin.command('CREATE DATABASE IF NOT EXISTS {db:Identifier}');
    await admin.command('CREATE TABLE IF NOT EXISTS {db:Identifier}.wide_rows (id UInt64, text String) ENGINE = MergeTree ORDER BY id');
    await admin.command("INSERT INTO {db:Identifier}.wide_rows SELECT number, repeat('x', 10000) FROM numbers(1000)");
    expect(await limited.query(anyRow, 'SELECT id, text FROM {db:Identifier}.wide_rows WHERE id < 10')).toHaveLength(10);
    const error = await failureOf(limited.query(anyRow, 'SELECT id, text FROM {db:Identifier}.wide_rows'));
    expect(error).toMatchObject({ code: '396', type: 'TOO_MANY_ROWS_OR_BYTES' });
    expect(classifyClickHouseFailure(error)).toMatchObject({ status: 422 });
  });

  it('binds the limits to the query store only: another connection and unlimited() run free', async () => {
    limited = open({ QUERY_MAX_RESULT_ROWS: '10' });
    const other = openClickHouse({ path: env.CLICKHOUSE_PATH as string, database: env.CLICKHOUSE_DATABASE as string });
    try {
      await failureOf(limited.query(anyRow, 'SELECT number FROM numbers(100)'));
      expect(await other.query(anyRow, 'SELECT number FROM numbers(100)')).toHaveLength(100);
      expect(await limited.unlimited().query(anyRow, 'SELECT number FROM numbers(100)')).toHaveLength(100);
      const [row] = await limited.query(z.object({ value: z.string() }), "SELECT value FROM system.settings WHERE name = 'max_result_rows'");
      expect(row.value).toBe('10');
    } finally {
      await other.close();
    }
  });

  it('leaves other errors alone (they stay logged 500s)', async () => {
    limited = open({});
    const error = await failureOf(limited.query(anyRow, 'SELECT no_such_column'));
    expect(classifyClickHouseFailure(error)).toBeUndefined();
    expect(classifyClickHouseFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' }))).toMatchObject({ status: 503 });
  });
});
