import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let sequence = 0;

/**
 * Random bytes are drawn from a pool refilled 4 KiB at a time: one randomBytes call per id
 * (a fresh Buffer and a call into the CSPRNG each) was ~2% of ingest's CPU under load.
 */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolOffset = POOL_BYTES;
/** The id being built; toString copies it out, so one buffer serves every call. */
const bytes = Buffer.alloc(16);

/** Offset in the pool of `count` fresh random bytes. */
function takeRandom(count: number): number {
  if (poolOffset + count > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const offset = poolOffset;
  poolOffset += count;
  return offset;
}

/**
 * Hand-written rather than the `uuid` package: its releases with v7 are ESM-only (14.x) or an
 * old major kept for CommonJS, and this is twenty lines with a property test.
 *
 * RFC 9562 UUIDv7: 48-bit Unix ms timestamp, then a 12-bit counter (rand_a) that keeps ids
 * minted in the same millisecond by this process in order, then 62 random bits.
 */
export function uuidv7(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    sequence = pool.readUInt16BE(takeRandom(2)) & 0x7ff; // start low so the counter rarely overflows
  } else {
    sequence += 1;
    if (sequence > 0xfff) {
      lastMs += 1; // borrow the next millisecond rather than go backwards
      sequence = 0;
    }
  }
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  pool.copy(bytes, 8, takeRandom(8));
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const UUIDV7_HEX = /^[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$/;

/** The Unix ms a UUIDv7 written as 32 hex digits (no dashes, as in run ids) was minted at, or undefined for other digits. */
export function uuidv7HexMillis(hex: string): number | undefined {
  return UUIDV7_HEX.test(hex) ? parseInt(hex.slice(0, 12), 16) : undefined;
}
