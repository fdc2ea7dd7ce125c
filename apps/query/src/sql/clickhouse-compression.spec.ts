import { compressSync } from 'lz4-napi';
import { cityHash128Checksum } from './cityhash102';
import { compressNative, decompressNative } from './clickhouse-compression';
import { SqlError } from './sql-error';

const LIMIT = 1024 * 1024;
const SQL = 'SELECT org_id, count() FROM runs_current GROUP BY org_id ORDER BY org_id FORMAT TabSeparated -- runs_current runs_current';
/** SQL as the JDBC driver's CompressedBlockOutputStream (clickhouse-java 0.11.1) writes it with a 64-byte buffer: two LZ4 blocks. */
const JAVA_CLIENT_BODY = Buffer.from(
  '68b2cede199a30903f15f6ab5ceacc29824700000040000000f32253454c454354206f72675f69642c20636f756e7428292046524f4d2072756e735f63757272656e742047524f55502042592b0080204f524445522042160fb34c5f3e18ae06ded3f1d96a6459823f00000039000000f41d59206f72675f696420464f524d415420546162536570617261746564202d2d2072756e735f63757272656e740d00507272656e74',
  'hex',
);

/** One block around `data` with method `method`, its sizes and checksum as declared (or as given). */
function block(method: number, data: Buffer, size: number, compressedSize = data.length + 9): Buffer {
  const rest = Buffer.alloc(9 + data.length);
  rest[0] = method;
  rest.writeUInt32LE(compressedSize, 1);
  rest.writeUInt32LE(size, 5);
  data.copy(rest, 9);
  return Buffer.concat([cityHash128Checksum(rest), rest]);
}

async function refusal(body: Buffer, limit = LIMIT): Promise<SqlError> {
  const error = await decompressNative(body, limit).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof SqlError)) throw new Error(`expected a SqlError, got ${String(error)}`);
  return error;
}

describe('ClickHouse native block compression (compress=1 / decompress=1)', () => {
  it('decodes the blocks the official Java client writes', async () => {
    expect((await decompressNative(JAVA_CLIENT_BODY, LIMIT)).toString()).toBe(SQL);
  });

  it('round-trips an answer through LZ4 blocks of the given size, each checksummed and sized', async () => {
    const answer = Buffer.from(Array.from({ length: 5000 }, (_, i) => `row ${i}\t${i % 7}\n`).join(''));
    const encoded = await compressNative(answer, 16 * 1024);
    expect(encoded.length).toBeLessThan(answer.length);
    let blocks = 0;
    for (let offset = 0; offset < encoded.length; blocks++) {
      expect(encoded[offset + 16]).toBe(0x82);
      const compressedSize = encoded.readUInt32LE(offset + 17);
      expect(encoded.readUInt32LE(offset + 21)).toBe(Math.min(16 * 1024, answer.length - blocks * 16 * 1024));
      expect(encoded.subarray(offset, offset + 16)).toEqual(cityHash128Checksum(encoded.subarray(offset + 16, offset + 16 + compressedSize)));
      offset += 16 + compressedSize;
    }
    expect(blocks).toBe(Math.ceil(answer.length / (16 * 1024)));
    expect(await decompressNative(encoded, LIMIT)).toEqual(answer);
  });

  it('sends nothing for an empty answer, keeps incompressible data intact, and reads uncompressed (0x02) blocks', async () => {
    expect((await compressNative(Buffer.alloc(0))).length).toBe(0);
    const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24));
    expect(await decompressNative(await compressNative(noise), LIMIT)).toEqual(noise);
    expect((await decompressNative(block(0x02, Buffer.from('SELECT 1'), 8), LIMIT)).toString()).toBe('SELECT 1');
  });

  it('refuses a body whose checksum does not match, naming the block', async () => {
    const corrupt = Buffer.from(JAVA_CLIENT_BODY);
    corrupt[30] ^= 0xff;
    expect(await refusal(corrupt)).toMatchObject({ status: 400, code: 40, codeName: 'CHECKSUM_DOESNT_MATCH' });
    expect((await refusal(corrupt)).message).toContain('block at byte 0');
  });

  it('refuses a cut-short body, an impossible size, an unknown method and ZSTD with a 400 that says which', async () => {
    const secondBlock = JAVA_CLIENT_BODY.readUInt32LE(17) + 16;
    expect(await refusal(JAVA_CLIENT_BODY.subarray(0, secondBlock + 10))).toMatchObject({ status: 400, codeName: 'CANNOT_DECOMPRESS' });
    expect((await refusal(JAVA_CLIENT_BODY.subarray(0, secondBlock + 10))).message).toContain(`byte ${secondBlock}`);
    expect(await refusal(JAVA_CLIENT_BODY.subarray(0, JAVA_CLIENT_BODY.length - 1))).toMatchObject({ status: 400, codeName: 'TOO_LARGE_SIZE_COMPRESSED' });
    expect(await refusal(block(0x82, Buffer.from('x'), 1, 4))).toMatchObject({ status: 400, codeName: 'TOO_LARGE_SIZE_COMPRESSED' });
    expect(await refusal(block(0x07, Buffer.from('x'), 1))).toMatchObject({ status: 400, code: 89, message: expect.stringContaining('0x07') });
    expect(await refusal(block(0x90, Buffer.from('x'), 1))).toMatchObject({ status: 400, code: 89, message: expect.stringContaining('ZSTD') });
    expect(await refusal(Buffer.from('SELECT 1'))).toMatchObject({ status: 400, codeName: 'CANNOT_DECOMPRESS' });
  });

  it('refuses LZ4 that does not decode to the size its block declares (checksum intact)', async () => {
    const lz4 = compressSync(Buffer.from(SQL)).subarray(4);
    expect(await refusal(block(0x82, lz4, SQL.length + 5))).toMatchObject({ status: 400, codeName: 'CANNOT_DECOMPRESS' });
    expect(await refusal(block(0x82, lz4, 10))).toMatchObject({ status: 400, codeName: 'CANNOT_DECOMPRESS' });
    expect(await refusal(block(0x82, Buffer.from([0xf0, 1, 2, 3]), 100))).toMatchObject({ status: 400, codeName: 'CANNOT_DECOMPRESS' });
    expect(await refusal(block(0x02, Buffer.from('SELECT 1'), 9))).toMatchObject({ status: 400, codeName: 'CANNOT_DECOMPRESS' });
  });

  it('refuses a body that would inflate past the limit before decompressing it (a decompression bomb)', async () => {
    const zeros = await compressNative(Buffer.alloc(4 * LIMIT), LIMIT);
    expect(zeros.length).toBeLessThan(LIMIT / 50);
    expect(await refusal(zeros)).toMatchObject({ status: 413, code: 229, codeName: 'QUERY_IS_TOO_LARGE' });
    // One block that claims 4 GiB: refused on its header, nothing allocated.
    const claim = block(0x82, compressSync(Buffer.from(SQL)).subarray(4), 0xffffffff);
    expect(await refusal(claim)).toMatchObject({ status: 413 });
    expect(await decompressNative(await compressNative(Buffer.alloc(LIMIT)), LIMIT)).toHaveLength(LIMIT);
  });
});
