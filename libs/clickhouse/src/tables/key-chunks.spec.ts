import { openClickHouse } from '../store';
import { chunkKeys, MAX_KEYS_PER_LOOKUP, MAX_LOOKUP_PARAM_BYTES } from './key-chunks';

describe('chunkKeys (key lookups stay under the server URL limit)', () => {
  const fields = (key: string) => ['org', 'proj', key];
  const urlBytes = (chunk: string[]) => chunk.reduce((sum, key) => sum + fields(key).reduce((s, f) => s + 3 * (Buffer.byteLength(f) + 4), 0), 0);

  it('keeps every key, in order, in chunks of at most MAX_KEYS_PER_LOOKUP', () => {
    const keys = Array.from({ length: 2 * MAX_KEYS_PER_LOOKUP + 1 }, (_, i) => `run_${i}`);
    const chunks = chunkKeys(keys, fields);
    expect(chunks.map((c) => c.length)).toEqual([MAX_KEYS_PER_LOOKUP, MAX_KEYS_PER_LOOKUP, 1]);
    expect(chunks.flat()).toEqual(keys);
  });

  it('splits long keys by bytes well before the 1 MiB URL limit', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `${'é'.repeat(250)}${i}`);
    const chunks = chunkKeys(keys, fields);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(urlBytes(chunk)).toBeLessThanOrEqual(MAX_LOOKUP_PARAM_BYTES);
    expect(chunks.flat()).toEqual(keys);
  });

  it('gives a key larger than the byte budget a chunk of its own, and nothing for no keys', () => {
    expect(chunkKeys(['a', 'x'.repeat(MAX_LOOKUP_PARAM_BYTES), 'b'], fields).map((c) => c.length)).toEqual([1, 1, 1]);
    expect(chunkKeys([], fields)).toEqual([]);
  });

  it("keeps a server store's lookups under its CLICKHOUSE_MAX_URL_BYTES", () => {
    const store = openClickHouse({ url: 'http://127.0.0.1:1', path: '', database: 'runstream', maxUrlBytes: 8192 });
    const keys = Array.from({ length: 500 }, (_, i) => `run_${String(i).padStart(32, '0')}`);
    const chunks = store.keyChunks(keys, fields);
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) expect(urlBytes(chunk)).toBeLessThanOrEqual(8192);
    expect(chunks.flat()).toEqual(keys);
    void store.close();
  });
});
