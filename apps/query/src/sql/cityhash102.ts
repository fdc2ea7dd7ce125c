/**
 * CityHash128 as ClickHouse computes its compressed-block checksums: Google's CityHash **v1.0.2**
 * (ClickHouse's contrib/cityhash102, namespace CityHash_v1_0_2), which differs from every later
 * CityHash and from FarmHash. No npm package implements this version without a native build, so
 * it is written here, from that source, and checked against vectors of the official Java client's
 * independent implementation (cityhash102.spec.ts).
 *
 * uint64 arithmetic is BigInt reduced with BigInt.asUintN(64, …): the algorithm is multiply- and
 * rotate-heavy over 64 bits, which plain numbers cannot hold, and BigInt keeps it a line-by-line
 * transcription of the C++ that can be checked by eye. Except the 64-byte rounds that hash all
 * but the last 128 bytes of a long input (longRounds): BigInt allocates a value per operation,
 * ~35-95 ms a MiB on the event loop, so those run on 32-bit halves (~2 ms a MiB).
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
  const w: Pair = [u64(rotate(u64(y + z), 35) * K1 + x), u64(rotate(u64(x + fetch64(s, at + 88)), 53) * K1)];
  // The C++ unrolls this twice per 128 bytes; one 64-byte round at a time is the same sequence.
  const rounds = Math.floor(len / 128) * 2;
  [x, y, z, v[0], v[1], w[0], w[1]] = longRounds(s, at, rounds, [x, y, z, v[0], v[1], w[0], w[1]]);
  at += rounds * 64;
  len -= rounds * 64;
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

/*
 * uint64 values as two int32 numbers (high, low bits; signed, so V8 keeps them as small integers
 * where a uint32 above 2^31 would be a heap number). The helpers leave their result in `rh`/`rl`
 * rather than allocate a pair: the rounds below call them ~40 times per 64 bytes.
 */
let rh = 0;
let rl = 0;

/** (ah:al + bh:bl) mod 2^64. */
function add(ah: number, al: number, bh: number, bl: number): void {
  const low = (al >>> 0) + (bl >>> 0);
  rl = low | 0;
  rh = (ah + bh + (low > 0xffffffff ? 1 : 0)) | 0;
}

/** (ah:al × bh:bl) mod 2^64: al × bl exactly from 16-bit pieces (each partial sum stays below 2^53), the cross terms mod 2^32. */
function mul(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const middle = a1 * b0 + a0 * b1;
  const low = a0 * b0 + (middle & 0xffff) * 0x10000;
  rl = low | 0; // ToInt32 takes it mod 2^32
  rh = (a1 * b1 + (middle - (middle & 0xffff)) / 0x10000 + (low > 0xffffffff ? 1 : 0) + Math.imul(ah, bl) + Math.imul(al, bh)) | 0;
}

/** Rotate right by 0 < shift < 32. */
function rotr(h: number, l: number, shift: number): void {
  rh = (h >>> shift) | (l << (32 - shift)) | 0;
  rl = (l >>> shift) | (h << (32 - shift)) | 0;
}

const hiOf = (value: bigint): number => Number(BigInt.asIntN(32, value >> 32n));
const loOf = (value: bigint): number => Number(BigInt.asIntN(32, value));
const joined = (h: number, l: number): bigint => (BigInt(h >>> 0) << 32n) | BigInt(l >>> 0);
const K1H = hiOf(K1);
const K1L = loOf(K1);

/**
 * `rounds` 64-byte rounds of CityHash128WithSeed's main loop from `at`, on state [x, y, z, v0, v1,
 * w0, w1]: the BigInt lines above it, in 32-bit halves (the C++ names: Rotate is rotr, k1 K1).
 */
function longRounds(s: Buffer, at: number, rounds: number, state: bigint[]): bigint[] {
  let [xh, yh, zh, v0h, v1h, w0h, w1h] = state.map(hiOf);
  let [xl, yl, zl, v0l, v1l, w0l, w1l] = state.map(loOf);
  for (let round = 0; round < rounds; round++, at += 64) {
    // x = Rotate(x + y + v.first + Fetch64(s + 16), 37) * k1
    add(xh, xl, yh, yl);
    add(rh, rl, v0h, v0l);
    add(rh, rl, s.readInt32LE(at + 20), s.readInt32LE(at + 16));
    rotr(rl, rh, 5); // 37 = 32 + 5: the halves swap, then 5
    mul(rh, rl, K1H, K1L);
    let nxh = rh;
    let nxl = rl;
    // y = Rotate(y + v.second + Fetch64(s + 48), 42) * k1
    add(yh, yl, v1h, v1l);
    add(rh, rl, s.readInt32LE(at + 52), s.readInt32LE(at + 48));
    rotr(rl, rh, 10); // 42 = 32 + 10
    mul(rh, rl, K1H, K1L);
    // x ^= w.second; y ^= v.first
    nxh = (nxh ^ w1h) | 0;
    nxl = (nxl ^ w1l) | 0;
    const nyh = (rh ^ v0h) | 0;
    const nyl = (rl ^ v0l) | 0;
    // z = Rotate(z ^ w.first, 33)
    rotr((zl ^ w0l) | 0, (zh ^ w0h) | 0, 1); // 33 = 32 + 1
    const nzh = rh;
    const nzl = rl;
    // v = WeakHashLen32WithSeeds(s, v.second * k1, x + w.first)
    mul(v1h, v1l, K1H, K1L);
    const vah = rh;
    const val = rl;
    add(nxh, nxl, w0h, w0l);
    weakHashLen32(s, at, vah, val, rh, rl);
    const nv0h = wah;
    const nv0l = wal;
    const nv1h = wbh;
    const nv1l = wbl;
    // w = WeakHashLen32WithSeeds(s + 32, z + w.second, y)
    add(nzh, nzl, w1h, w1l);
    weakHashLen32(s, at + 32, rh, rl, nyh, nyl);
    w0h = wah;
    w0l = wal;
    w1h = wbh;
    w1l = wbl;
    v0h = nv0h;
    v0l = nv0l;
    v1h = nv1h;
    v1l = nv1l;
    // std::swap(z, x)
    xh = nzh;
    xl = nzl;
    zh = nxh;
    zl = nxl;
    yh = nyh;
    yl = nyl;
  }
  return [joined(xh, xl), joined(yh, yl), joined(zh, zl), joined(v0h, v0l), joined(v1h, v1l), joined(w0h, w0l), joined(w1h, w1l)];
}

/** WeakHashLen32WithSeeds in halves: the pair lands in wah:wal, wbh:wbl. */
let wah = 0;
let wal = 0;
let wbh = 0;
let wbl = 0;
function weakHashLen32(s: Buffer, at: number, seedAh: number, seedAl: number, seedBh: number, seedBl: number): void {
  const zh = s.readInt32LE(at + 28);
  const zl = s.readInt32LE(at + 24);
  // a += w
  add(seedAh, seedAl, s.readInt32LE(at + 4), s.readInt32LE(at));
  let ah = rh;
  let al = rl;
  // b = Rotate(b + a + z, 21)
  add(seedBh, seedBl, ah, al);
  add(rh, rl, zh, zl);
  rotr(rh, rl, 21);
  let bh = rh;
  let bl = rl;
  const ch = ah;
  const cl = al;
  // a += x; a += y
  add(ah, al, s.readInt32LE(at + 12), s.readInt32LE(at + 8));
  add(rh, rl, s.readInt32LE(at + 20), s.readInt32LE(at + 16));
  ah = rh;
  al = rl;
  // b += Rotate(a, 44)
  rotr(al, ah, 12); // 44 = 32 + 12
  add(bh, bl, rh, rl);
  bh = rh;
  bl = rl;
  // return (a + z, b + c)
  add(ah, al, zh, zl);
  wah = rh;
  wal = rl;
  add(bh, bl, ch, cl);
  wbh = rh;
  wbl = rl;
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
