import { compress, uncompress } from 'lz4-napi';
import { cityHash128Checksum } from './cityhash102';
import { SqlError } from './sql-error';

/**
 * ClickHouse's own block compression over HTTP (`compress=1` for the answer, `decompress=1` for
 * the request body), the framing of its CompressedWriteBuffer/CompressedReadBuffer: each block is
 *
 *   16 bytes  CityHash128 v1.0.2 of the rest of the block (low64, high64, little-endian)
 *    1 byte   method: 0x82 LZ4, 0x02 none, 0x90 ZSTD
 *    4 bytes  size of the compressed block including these 9 header bytes (uint32 LE)
 *    4 bytes  size of the block's data uncompressed (uint32 LE)
 *    …        the LZ4 block (no LZ4 frame), or the raw bytes for 0x02
 *
 * The answer is always LZ4, as ClickHouse's default codec is; a body may be LZ4 or none. ZSTD is
 * refused: nothing here decodes it, and clients send it only when configured to.
 */

const CHECKSUM_BYTES = 16;
const HEADER_BYTES = 9;
const METHOD_LZ4 = 0x82;
const METHOD_NONE = 0x02;
const METHOD_ZSTD = 0x90;
/** ClickHouse's DBMS_DEFAULT_BUFFER_SIZE: the block size its CompressedWriteBuffer writes. */
export const NATIVE_BLOCK_BYTES = 1024 * 1024;

const decompressFailure = (message: string) => new SqlError(400, 271, 'CANNOT_DECOMPRESS', message);

/** `data` as ClickHouse compressed blocks, LZ4, checksummed; nothing for an empty answer, as ClickHouse sends. */
export async function compressNative(data: Buffer, blockBytes = NATIVE_BLOCK_BYTES): Promise<Buffer> {
  const blocks: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += blockBytes) {
    const chunk = data.subarray(offset, offset + blockBytes);
    // lz4-napi's block API (lz4_flex compress_prepend_size) puts the uncompressed size, uint32 LE, before the block.
    const lz4 = (await compress(chunk)).subarray(4);
    const block = Buffer.allocUnsafe(CHECKSUM_BYTES + HEADER_BYTES + lz4.length);
    block[CHECKSUM_BYTES] = METHOD_LZ4;
    block.writeUInt32LE(HEADER_BYTES + lz4.length, CHECKSUM_BYTES + 1);
    block.writeUInt32LE(chunk.length, CHECKSUM_BYTES + 5);
    lz4.copy(block, CHECKSUM_BYTES + HEADER_BYTES);
    cityHash128Checksum(block.subarray(CHECKSUM_BYTES)).copy(block, 0);
    blocks.push(block);
  }
  return Buffer.concat(blocks);
}

/**
 * A request body in ClickHouse compressed blocks, decoded. Every block's checksum is verified
 * before it is decompressed, and the blocks' declared sizes are added up against `maxBytes`
 * before anything is allocated, so a small body cannot inflate past the endpoint's body limit.
 * Malformed input is a 400 naming what is wrong; too large a result, 413.
 */
export async function decompressNative(body: Buffer, maxBytes: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for (let offset = 0; offset < body.length;) {
    const where = `the compressed block at byte ${offset} of the body (decompress=1)`;
    if (body.length - offset < CHECKSUM_BYTES + HEADER_BYTES) {
      throw decompressFailure(`${where} is cut short: ${body.length - offset} bytes, a block needs at least ${CHECKSUM_BYTES + HEADER_BYTES}`);
    }
    const header = offset + CHECKSUM_BYTES;
    const method = body[header];
    const compressedSize = body.readUInt32LE(header + 1);
    const size = body.readUInt32LE(header + 5);
    if (method === METHOD_ZSTD) {
      throw new SqlError(400, 89, 'UNKNOWN_COMPRESSION_METHOD', `${where} is ZSTD (0x90), which this endpoint does not decode: send LZ4 (0x82)`);
    }
    if (method !== METHOD_LZ4 && method !== METHOD_NONE) {
      throw new SqlError(
        400,
        89,
        'UNKNOWN_COMPRESSION_METHOD',
        `${where} has unknown compression method 0x${method.toString(16).padStart(2, '0')}; send LZ4 (0x82)`,
      );
    }
    if (compressedSize < HEADER_BYTES || compressedSize > body.length - header) {
      throw new SqlError(
        400,
        39,
        'TOO_LARGE_SIZE_COMPRESSED',
        `${where} declares ${compressedSize} compressed bytes, but ${body.length - header} remain in the body (a size counts its 9 header bytes)`,
      );
    }
    const block = body.subarray(header, header + compressedSize);
    const checksum = cityHash128Checksum(block);
    if (!checksum.equals(body.subarray(offset, header))) {
      throw new SqlError(
        400,
        40,
        'CHECKSUM_DOESNT_MATCH',
        `Checksum doesn't match: corrupted data in ${where}. Reference: ${body.subarray(offset, header).toString('hex')}. Actual: ${checksum.toString('hex')}`,
      );
    }
    total += size;
    if (total > maxBytes) {
      throw new SqlError(413, 229, 'QUERY_IS_TOO_LARGE', `the body (decompress=1) decompresses to more than the ${maxBytes}-byte query limit`);
    }
    parts.push(await decodeBlock(method, block.subarray(HEADER_BYTES), size, where));
    offset = header + compressedSize;
  }
  return Buffer.concat(parts, total);
}

async function decodeBlock(method: number, data: Buffer, size: number, where: string): Promise<Buffer> {
  if (method === METHOD_NONE) {
    if (data.length !== size) throw decompressFailure(`${where} is uncompressed (0x02) but holds ${data.length} bytes, not the ${size} it declares`);
    return data;
  }
  const prefixed = Buffer.allocUnsafe(4 + data.length);
  prefixed.writeUInt32LE(size, 0);
  data.copy(prefixed, 4);
  let decoded: Buffer;
  try {
    decoded = await uncompress(prefixed);
  } catch (error) {
    throw decompressFailure(`${where} is not valid LZ4: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (decoded.length !== size) throw decompressFailure(`${where} decompresses to ${decoded.length} bytes, not the ${size} it declares`);
  return decoded;
}
