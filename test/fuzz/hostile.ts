import fc from 'fast-check';
import { JsonNode } from './payload';

/** Keys that reach Object.prototype or shadow its methods when code copies objects naively. */
export const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'valueOf',
  'isPrototypeOf',
  '__defineGetter__',
  'toJSON',
  'then',
];

/** SQL and ClickHouse injection, template and format-string probes. */
export const INJECTIONS = [
  "' OR 1=1 --",
  "'; DROP TABLE runs; --",
  "x' UNION ALL SELECT name, engine FROM system.tables --",
  '1) OR (1=1',
  "\\'; SELECT sleep(3); --",
  '{id:String}',
  '{p0:UInt8}',
  'FORMAT JSONEachRow',
  "') SETTINGS max_execution_time=0 --",
  '`backtick`',
  '$1',
  '%s%s%s%n',
  '${7*7}',
  '{{7*7}}',
  '../../../../etc/passwd',
  '\r\nX-Injected: 1',
  '<script>alert(1)</script>',
  "file('/etc/passwd')",
  "url('http://127.0.0.1:9/')",
];

/** Dates a lenient parser accepts and a strict one should refuse, or that overflow storage types. */
export const HOSTILE_DATES = [
  '2026-W09',
  '2026-W09-4',
  '20260226T0700Z',
  '2026-057',
  '+275760-09-13T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-20T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '0000-00-00T00:00:00Z',
  '1900-01-01T00:00:00Z',
  '1969-12-31T23:59:59.999Z',
  '2106-02-07T06:28:16Z',
  '2299-12-31T23:59:59.999Z',
  '2300-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999999Z',
  '2026-02-30T00:00:00Z',
  '2026-02-26T24:00:00Z',
  '2026-12-31T23:59:60Z',
  '2026-02-26T06:00:00+25:00',
  '2026-02-26T06:00:00-00:00',
  '2026-02-26t06:00:00z',
  '2026-02-26 06:00:00',
  '2026-02-26T06:00:00.1234567890123Z',
  '2026-02-26T06:00:00.123456+00:00',
  '2026-02-26',
  '1772085600000',
  '２０２６-02-26T06:00:00Z',
  'Invalid Date',
];

export const HOSTILE_DAY_DATES = [
  '0000-01-01',
  '0001-01-01',
  '1899-12-31',
  '1970-01-01',
  '2026-02-29',
  '2024-02-29',
  '2026-13-01',
  '2026-00-10',
  '2106-02-08',
  '2149-06-07',
  '2300-01-01',
  '9999-12-31',
  '+275760-09-13',
  '2026-2-1',
  '20260226',
];

/** Number texts JavaScript cannot round-trip or that overflow 64-bit columns. */
export const HOSTILE_NUMBERS = [
  '1e300',
  '-1e300',
  '1e309',
  '-1e309',
  '-0',
  '-0.0',
  '0',
  '-1',
  '0.5',
  '1E2',
  '1e+2',
  '4.9e-324',
  '1e-400',
  '1.7976931348623157e308',
  '9007199254740992',
  '9007199254740993',
  '-9007199254740993',
  '18446744073709551615',
  '18446744073709551616',
  '-9223372036854775809',
  '123456789012345678901234567890123456789012345678901234567890',
  '10413791999999',
  '10413792000000',
  '8640000000000000',
  '8640000000000001',
];

/** The same as query-string values, plus what only a string can spell. */
export const HOSTILE_NUMBER_TEXTS = [
  ...HOSTILE_NUMBERS,
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '0b1',
  '0o7',
  '1_000',
  ' 1',
  '1 ',
  '+1',
  '٣',
  '1.0',
  '1e3',
  '',
  'null',
  'true',
  '[]',
];

/** Units a scrubber's regular expressions may backtrack on, and multi-byte ones. */
export const REPEAT_UNITS = [
  'a.',
  'a',
  'a:',
  'a@',
  '://',
  'password=',
  'postgres://u:p@',
  'Bearer ',
  'eyJhbGciOiJIUzI1NiJ9.',
  'AKIA',
  'token=a ',
  '"password": "',
  '=',
  ' ',
  '\\',
  '"',
  '-----BEGIN PRIVATE KEY-----',
  'ghp_',
  'xoxb-',
  '\ud800',
  '🙂',
  '\u202e',
  '\u0000',
];

const ODD_UNICODE = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'a\ud83d',
  '\udc00\ud800',
  '\ud83d\ude00',
  '\u202eevil\u202c',
  '\u200b',
  '\u200d',
  '\ufeff',
  '\u2028\u2029',
  'e\u0301',
  'Ω',
  '𝕏',
  'ß',
  'İ',
  '\u0085',
  '\uffff',
  '\u{10ffff}',
];

const EDGE_STRINGS = [
  '',
  ' ',
  '%00',
  '%',
  '%zz',
  'null',
  'undefined',
  'true',
  'NaN',
  '[object Object]',
  '-',
  '.',
  '..',
  'a'.repeat(129),
  'a'.repeat(254),
  'a'.repeat(513),
  'a'.repeat(10_001),
];

/** Counts at and around limits the apps declare (128, 253, 500, 512, 1000, 2000, 10000) and far beyond. */
export const repeatTimes = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 12_000 }) },
  { weight: 2, arbitrary: fc.constantFrom(127, 128, 129, 252, 253, 254, 511, 512, 513, 4_999, 5_000, 5_001, 9_999, 10_000, 10_001) },
  { weight: 1, arbitrary: fc.constantFrom(50_000, 200_000, 600_000) },
);

export const repeatNode: fc.Arbitrary<JsonNode> = fc.record({ k: fc.constant('rep' as const), unit: fc.constantFrom(...REPEAT_UNITS), times: repeatTimes });

/** A short hostile string: injections, odd unicode, generated unicode and ASCII. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS, ...ODD_UNICODE, ...EDGE_STRINGS, ...PROTOTYPE_KEYS, ...HOSTILE_DATES) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...ODD_UNICODE, ...INJECTIONS)).map(([a, b]) => a + b) },
);

export const hostileDate: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_DATES) },
  // The whole range a JavaScript Date can hold: year 0, negative and six-digit years.
  { weight: 2, arbitrary: fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }).map((d) => d.toISOString()) },
);

const lit = (v: null | boolean | number | string): JsonNode => ({ k: 'lit', v });

/** A leaf small enough to copy ten thousand times. */
const shortLeaf: fc.Arbitrary<JsonNode> = fc.oneof(
  { weight: 4, arbitrary: hostileString.map(lit) },
  { weight: 2, arbitrary: hostileDate.map(lit) },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS).map((text): JsonNode => ({ k: 'num', text })) },
  { weight: 1, arbitrary: fc.oneof(fc.double(), fc.integer()).map((v) => lit(Number.isFinite(v) ? v : 0)) },
  { weight: 2, arbitrary: fc.constantFrom(lit(null), lit(true), lit(false), { k: 'arr', items: [] } as JsonNode, { k: 'obj', entries: [] } as JsonNode) },
);

const hostileLeaf: fc.Arbitrary<JsonNode> = fc.oneof({ weight: 6, arbitrary: shortLeaf }, { weight: 1, arbitrary: repeatNode });

const hostileKey: fc.Arbitrary<string> = fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) }, { weight: 1, arbitrary: hostileString });

/** Any hostile JSON value: leaves, small containers, 10k-key objects, long arrays, deep nesting. */
export const hostileNode: fc.Arbitrary<JsonNode> = fc.letrec<{ node: JsonNode }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'hostile' },
    { weight: 6, arbitrary: hostileLeaf },
    { weight: 1, arbitrary: fc.array(tie('node'), { maxLength: 4 }).map((items): JsonNode => ({ k: 'arr', items })) },
    { weight: 2, arbitrary: fc.array(fc.tuple(hostileKey, tie('node')), { maxLength: 4 }).map((entries): JsonNode => ({ k: 'obj', entries })) },
    {
      weight: 1,
      arbitrary: fc.record({
        k: fc.constant('keys' as const),
        n: fc.constantFrom(65, 100, 1_000, 10_000),
        prefix: fc.constantFrom('k', 'rowsLoaded', '__proto__', 'a.'),
        value: shortLeaf,
      }),
    },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('many' as const), n: fc.constantFrom(501, 1_000, 1_001, 2_001, 10_000), item: shortLeaf }) },
    {
      weight: 1,
      arbitrary: fc.record({
        k: fc.constant('deep' as const),
        depth: fc.integer({ min: 2, max: 100_000 }),
        as: fc.constantFrom('arr' as const, 'obj' as const),
        value: shortLeaf,
      }),
    },
  ),
})).node;
