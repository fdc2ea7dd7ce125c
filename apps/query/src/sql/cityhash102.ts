/**
 * CityHash128 as ClickHouse computes its compressed-block checksums: Google's CityHash **v1.0.2**
 * (ClickHouse's contrib/cityhash102, namespace CityHash_v1_0_2), which differs from every later
 * CityHash and from FarmHash. No npm package implements this version without a native build, so
 * it is written here, from that source, and checked against vectors of the official Java client's
 * independent implementation (cityhash102.spec.ts).
 *
 * uint64 arithmetic is BigInt reduced with BigInt.asUintN(64, …): the algorithm is multiply- and
 * rotate-heavy over 64 bits, which plain numbers cannot hold, and BigInt keeps it a line-by-line
 * transcription of the C++ that can be checked by eye.
 */

const K0 = 0xc3a5c85c97cb3127n;
const K1 = 0xb492b66fbe98f273n;
const K2 = 0x9ae16a3b2f90404fn;
const K3 = 0xc949d7c7509e6557n;
const K_MUL = 0x9ddfea08eb382d69n;

const u64 = (value: bigint): bigint => BigInt.asUintN(64, value);
const fetch64 = (s: Buffer, at: number): bigint => s.readBigUInt64LE(at);
const fetch32 = (s: Buffer, at: number): bigint => BigInt(s.readUInt32LE(at));
const rotate = (value: bigint, shift: number): bigint => (shift === 0 ? value : u64((value >> BigInt(shift)) | (value << BigInt(64 - shift))));
const shiftMix = (value: bigint): bigint => value ^ (value >> 47n);

/** Hash128to64 (city.h). */
function hashLen16(low: bigint, high: bigint): bigint {
  let a = u64((low ^ high) * K_MUL);
  a ^= a >> 47n;
  let b = u64((high ^ a) * K_MUL);
  b ^= b >> 47n;
  return u64(b * K_MUL);
}

function hashLen0to16(s: Buffer, at: number, len: number): bigint {
  if (len > 8) {
    const a = fetch64(s, at);
    const b = fetch64(s, at + len - 8);
    return hashLen16(a, rotate(u64(b + BigInt(len)), len)) ^ b;
  }
  if (len >= 4) {
    const a = fetch32(s, at);
    return hashLen16(u64(BigInt(len) + (a << 3n)), fetch32(s, at + len - 4));
  }
  if (len > 0) {
    const y = BigInt(s[at] + (s[at + (len >> 1)] << 8));
    const z = BigInt(len + (s[at + len - 1] << 2));
    return u64(shiftMix(u64(y * K2) ^ u64(z * K3)) * K2);
  }
  return K2;
}

type Pair = [bigint, bigint];

function weakHashLen32WithSeeds(s: Buffer, at: number, seedA: bigint, seedB: bigint): Pair {
  const w = fetch64(s, at);
  const x = fetch64(s, at + 8);
  const y = fetch64(s, at + 16);
  const z = fetch64(s, at + 24);
  let a = u64(seedA + w);
  let b = rotate(u64(seedB + a + z), 21);
  const c = a;
  a = u64(a + x + y);
  b = u64(b + rotate(a, 44));
  return [u64(a + z), u64(b + c)];
}

/** CityMurmur: CityHash128WithSeed for inputs shorter than 128 bytes. */
function cityMurmur(s: Buffer, at: number, len: number, seedLow: bigint, seedHigh: bigint): Pair {
  let a = seedLow;
  let b = seedHigh;
  let c: bigint;
  let d: bigint;
  if (len <= 16) {
    a = u64(shiftMix(u64(a * K1)) * K1);
    c = u64(u64(b * K1) + hashLen0to16(s, at, len));
    d = shiftMix(u64(a + (len >= 8 ? fetch64(s, at) : c)));
  } else {
    c = hashLen16(u64(fetch64(s, at + len - 8) + K1), a);
    d = hashLen16(u64(b + BigInt(len)), u64(c + fetch64(s, at + len - 16)));
    a = u64(a + d);
    for (let left = len - 16, p = at; left > 0; left -= 16, p += 16) {
      a ^= u64(shiftMix(u64(fetch64(s, p) * K1)) * K1);
      a = u64(a * K1);
      b ^= a;
      c ^= u64(shiftMix(u64(fetch64(s, p + 8) * K1)) * K1);
      c = u64(c * K1);
      d ^= c;
    }
  }
  a = hashLen16(a, c);
  b = hashLen16(d, b);
  return [a ^ b, hashLen16(b, a)];
}

function cityHash128WithSeed(s: Buffer, start: number, length: number, seedLow: bigint, seedHigh: bigint): Pair {
  if (length < 128) return cityMurmur(s, start, length, seedLow, seedHigh);
  let at = start;
  let len = length;
  let x = seedLow;
  let y = seedHigh;
  let z = u64(BigInt(len) * K1);
  const v0 = u64(rotate(y ^ K1, 49) * K1 + fetch64(s, at));
  let v: Pair = [v0, u64(rotate(v0, 42) * K1 + fetch64(s, at + 8))];
  let w: Pair = [u64(rotate(u64(y + z), 35) * K1 + x), u64(rotate(u64(x + fetch64(s, at + 88)), 53) * K1)];
  // The C++ unrolls this twice per 128 bytes; one 64-byte step at a time is the same sequence.
  do {
    for (let half = 0; half < 2; half++) {
      x = u64(rotate(u64(x + y + v[0] + fetch64(s, at + 16)), 37) * K1);
      y = u64(rotate(u64(y + v[1] + fetch64(s, at + 48)), 42) * K1);
      x ^= w[1];
      y ^= v[0];
      z = rotate(z ^ w[0], 33);
      v = weakHashLen32WithSeeds(s, at, u64(v[1] * K1), u64(x + w[0]));
      w = weakHashLen32WithSeeds(s, at + 32, u64(z + w[1]), y);
      [z, x] = [x, z];
      at += 64;
    }
    len -= 128;
  } while (len >= 128);
  y = u64(y + u64(rotate(w[0], 37) * K0) + z);
  x = u64(x + u64(rotate(u64(v[0] + z), 49) * K0));
  // Up to four 32-byte chunks from the end of the input.
  for (let tailDone = 0; tailDone < len;) {
    tailDone += 32;
    y = u64(u64(rotate(u64(y - x), 42) * K0) + v[1]);
    w[0] = u64(w[0] + fetch64(s, at + len - tailDone + 16));
    x = u64(u64(rotate(x, 49) * K0) + w[0]);
    w[0] = u64(w[0] + v[0]);
    v = weakHashLen32WithSeeds(s, at + len - tailDone, v[0], v[1]);
  }
  x = hashLen16(x, v[0]);
  y = hashLen16(y, w[0]);
  return [u64(hashLen16(u64(x + v[1]), w[1]) + y), hashLen16(u64(x + w[1]), u64(y + v[1]))];
}

/** CityHash_v1_0_2::CityHash128 of `data`: [low64, high64], as ClickHouse's uint128 (first, second). */
export function cityHash128(data: Buffer): Pair {
  const len = data.length;
  if (len >= 16) return cityHash128WithSeed(data, 16, len - 16, fetch64(data, 0) ^ K3, fetch64(data, 8));
  if (len >= 8) return cityHash128WithSeed(data, 0, 0, fetch64(data, 0) ^ u64(BigInt(len) * K0), fetch64(data, len - 8) ^ K1);
  return cityHash128WithSeed(data, 0, len, K0, K1);
}

/** The 16 bytes a ClickHouse compressed block starts with: low64 then high64, each little-endian. */
export function cityHash128Checksum(data: Buffer): Buffer {
  const [low, high] = cityHash128(data);
  const checksum = Buffer.allocUnsafe(16);
  checksum.writeBigUInt64LE(low, 0);
  checksum.writeBigUInt64LE(high, 8);
  return checksum;
}
