import fc from 'fast-check';
import { HOSTILE_NUMBERS, hostileDate, hostileNode, hostileString, PROTOTYPE_KEYS, REPEAT_UNITS, repeatNode } from './hostile';
import { Body, estimateBytes, JsonNode, jsonText } from './payload';
import { Schema } from './routes';

const lit = (v: null | boolean | number | string): JsonNode => ({ k: 'lit', v });

const dateBetween = (min: string, max: string): fc.Arbitrary<string> =>
  fc.date({ min: new Date(min), max: new Date(max), noInvalidDate: true }).map((d) => d.toISOString());
const isoDate = dateBetween('2020-01-01T00:00:00Z', '2030-01-01T00:00:00Z');
/** Starts before ends, so valid bodies stay valid (completed_at not before started_at). */
const startDate = dateBetween('2020-01-01T00:00:00Z', '2024-12-31T00:00:00Z');
const endDate = dateBetween('2025-01-01T00:00:00Z', '2029-12-31T00:00:00Z');
const idLike = fc.stringMatching(/^[a-z0-9][a-z0-9_.:-]{0,15}$/);

/** A valid string for a field, guessed from its name where the schema says only "string". */
function stringFor(name: string, schema: Schema): fc.Arbitrary<string> {
  if (schema.enum?.length) return fc.constantFrom(...(schema.enum as string[]));
  if (schema.format === 'date-time' || name === 'at') return /start/i.test(name) ? startDate : /end|complete|finish/i.test(name) ? endDate : isoDate;
  if (schema.format === 'date') return isoDate.map((d) => d.slice(0, 10));
  if (/gateway/i.test(name)) return fc.constantFrom('gw-1', 'gw-2', 'gw-elsewhere');
  if (/(^id$|Id$|_id$)/.test(name)) return idLike.map((id) => `fz-${id}`);
  return fc.string({ minLength: 1, maxLength: Math.min(schema.maxLength ?? 40, 40) }).filter((s) => s.trim().length > 0);
}

/** Telemetry-like maps: the only free-form objects the apps take. */
const measurements: fc.Arbitrary<JsonNode> = fc
  .uniqueArray(fc.tuple(fc.constantFrom('rowsLoaded', 'bytesLoaded', 'progress', 'cpu', 'mem_mb', 'lag'), fc.integer({ min: 0, max: 100 })), {
    minLength: 1,
    maxLength: 3,
    selector: ([key]) => key,
  })
  .map((entries): JsonNode => ({ k: 'obj', entries: entries.map(([key, value]) => [key, lit(value)]) }));

/**
 * A value of the right type that validation may still accept, at an edge: unicode, injection
 * and scrubber-worst-case text up to the declared length, odd but valid dates, extreme numbers,
 * prototype keys in free-form maps, arrays at and just over their maximum.
 */
function edgeValue(schema: Schema, name: string): fc.Arbitrary<JsonNode> {
  if (schema.enum?.length) return fc.constantFrom(...schema.enum.map((v) => String(v).toUpperCase()), ...schema.enum.map((v) => ` ${String(v)}`)).map(lit);
  if (schema.type === 'number' || schema.type === 'integer') {
    const bounds = [schema.minimum, schema.maximum].filter((v): v is number => v !== undefined).map(String);
    return fc.constantFrom(...HOSTILE_NUMBERS, ...bounds, String(Number.MAX_SAFE_INTEGER)).map((text): JsonNode => ({ k: 'num', text }));
  }
  if (schema.type === 'boolean') return fc.constantFrom(lit('true'), lit(0), lit(null));
  if (schema.type === 'array') {
    const item = schema.items ? validValue(schema.items, name) : measurements;
    const max = schema.maxItems ?? 1_000;
    return fc.tuple(item, fc.constantFrom(max, max + 1, 0)).map(([one, n]): JsonNode => ({ k: 'many', n, item: one }));
  }
  if (schema.type === 'object' && !schema.properties) {
    const key = fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, 'a.b', '_', 'A'.repeat(64), 'A'.repeat(65)), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,8}$/));
    const value = fc.oneof(
      fc.constantFrom(...HOSTILE_NUMBERS).map((text): JsonNode => ({ k: 'num', text })),
      fc.constantFrom(lit(null), lit(true), lit('x'.repeat(1_024)), lit('x'.repeat(1_025))),
      hostileString.map(lit),
      hostileDate.map(lit),
    );
    return fc.oneof(
      fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 4 }).map((entries): JsonNode => ({ k: 'obj', entries })),
      fc
        .tuple(fc.constantFrom(32, 33, 64, 65, 10_000), fc.constantFrom(lit(1), lit(1e300)))
        .map(([n, v]): JsonNode => ({ k: 'keys', n, prefix: 'm', value: v })),
    );
  }
  if (schema.format === 'date-time' || name === 'at') return hostileDate.map(lit);
  const max = schema.maxLength ?? 10_000;
  return fc.oneof(
    hostileString.filter((s) => s.length <= max).map(lit),
    fc
      .tuple(fc.constantFrom(...REPEAT_UNITS), fc.constantFrom(0, -1, 1))
      .map(([unit, delta]): JsonNode => ({ k: 'rep', unit, times: Math.max(1, Math.floor(max / unit.length) + delta) })),
  );
}

/** A value the schema accepts (fields with required-ness; PATCH-like bodies get at least one field); with `edgy`, some leaves at an edge. */
export function validValue(schema: Schema, name = '', edgy = false): fc.Arbitrary<JsonNode> {
  const plain = plainValue(schema, name, edgy);
  const isContainer = schema.type === undefined || (schema.type === 'object' && schema.properties);
  return edgy && !isContainer ? fc.oneof({ weight: 10, arbitrary: plain }, { weight: 1, arbitrary: edgeValue(schema, name) }) : plain;
}

function plainValue(schema: Schema, name: string, edgy: boolean): fc.Arbitrary<JsonNode> {
  if (schema.enum?.length) return fc.constantFrom(...schema.enum).map((v) => lit(v as string));
  switch (schema.type) {
    case 'number':
    case 'integer':
      return fc.integer({ min: Math.max(schema.minimum ?? 0, -1e6), max: Math.min(schema.maximum ?? 1e6, 1e6) }).map(lit);
    case 'boolean':
      return fc.boolean().map(lit);
    case 'array':
      return fc
        .array(schema.items ? validValue(schema.items, name, edgy) : measurements, { minLength: 1, maxLength: 3 })
        .map((items): JsonNode => ({ k: 'arr', items }));
    case 'object':
    case undefined: {
      const properties = Object.entries(schema.properties ?? {});
      if (properties.length === 0) return schema.type === 'object' ? measurements : stringFor(name, schema).map(lit);
      const required = new Set(schema.required ?? []);
      const optional = properties.filter(([key]) => !required.has(key)).map(([key]) => key);
      return fc
        .tuple(fc.tuple(...properties.map(([key, child]) => validValue(child, key, edgy))), fc.subarray(optional, { minLength: required.size === 0 ? 1 : 0 }))
        .map(([values, chosen]): JsonNode => ({
          k: 'obj',
          entries: properties.map(([key], i): [string, JsonNode] => [key, values[i]]).filter(([key]) => required.has(key) || chosen.includes(key)),
        }));
    }
    default:
      return stringFor(name, schema).map(lit);
  }
}

interface Mutation {
  op: 'drop' | 'set' | 'add' | 'dup';
  /** Which container (object or array, in document order) the mutation applies to. */
  target: number;
  slot: number;
  key: string;
  value: JsonNode;
}

function containers(node: JsonNode, found: JsonNode[] = []): JsonNode[] {
  if (node.k === 'obj') {
    found.push(node);
    for (const [, child] of node.entries) containers(child, found);
  } else if (node.k === 'arr') {
    found.push(node);
    for (const child of node.items) containers(child, found);
  }
  return found;
}

function mutate(root: JsonNode, mutations: Mutation[]): JsonNode {
  // Generated values are shared (constants, shrinking): mutate copies only, or a tree could end up containing itself.
  const copy = structuredClone(root);
  for (const { value: shared, ...m } of mutations) {
    const value = structuredClone(shared);
    const all = containers(copy);
    if (all.length === 0) return value;
    const node = all[m.target % all.length];
    if (node.k === 'obj') {
      const i = node.entries.length ? m.slot % node.entries.length : 0;
      if (m.op === 'drop') node.entries.splice(i, 1);
      else if (m.op === 'set' && node.entries.length) node.entries[i] = [node.entries[i][0], value];
      else if (m.op === 'dup' && node.entries.length) node.entries.push([node.entries[i][0], value]);
      else node.entries.push([m.key, value]);
    } else if (node.k === 'arr') {
      const i = node.items.length ? m.slot % node.items.length : 0;
      if (m.op === 'drop') node.items.splice(i, 1);
      else if (m.op === 'set' && node.items.length) node.items[i] = value;
      else node.items.push(value);
    }
  }
  return copy;
}

/** Wrong values for known fields, unknown and prototype keys, duplicate keys, dropped fields. */
function mutations(fieldNames: string[]): fc.Arbitrary<Mutation[]> {
  const key = fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
    { weight: 2, arbitrary: fc.constantFrom(...(fieldNames.length ? fieldNames : ['x'])) },
    { weight: 1, arbitrary: hostileString },
  );
  const mutation = fc.record({
    op: fc.constantFrom('drop' as const, 'set' as const, 'set' as const, 'add' as const, 'dup' as const),
    target: fc.nat(),
    slot: fc.nat(),
    key,
    value: hostileNode,
  });
  return fc.array(mutation, { minLength: 1, maxLength: 3 });
}

function fieldNamesOf(schema: Schema, names = new Set<string>()): string[] {
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    names.add(name);
    fieldNamesOf(child, names);
  }
  if (schema.items) fieldNamesOf(schema.items, names);
  return [...names];
}

const RAW_TEXTS = [
  '',
  '{',
  '}',
  '[',
  'null',
  'true',
  '0',
  '"text"',
  '{"a":}',
  '{"projectId":"p",}',
  "{'projectId':'p'}",
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":undefined}',
  '{"a":01}',
  '{"a":.5}',
  '{"a":-}',
  '{"a":"\n"}',
  '{"a":"\\x41"}',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '{"a":1}{"b":2}',
  '{"a":1}\n{"b":2}',
  '/* comment */ {}',
  '{"__proto__":{"isAdmin":true,"status":"success"}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  'projectId=p&jobName=j',
  '\u0000',
];

/** Gzip magic without gzip, BOMs of other encodings, invalid UTF-8 inside a JSON string. */
const RAW_HEX = [
  'efbbbf7b7d',
  '1f8b08000000000000037b7d',
  'fffe7b007d00',
  'feff007b007d',
  'ff',
  'c0af',
  '7b226a6f624e616d65223a22ff227d',
  '7b226a6f624e616d65223a22eda080227d',
  '7b226a6f624e616d65223a22c3227d',
  '00000000',
];

/** Raw bodies: broken JSON, truncated valid JSON, junk bytes, sizes at the body limit. */
export function rawBody(schema: Schema | undefined, bodyLimit: number): fc.Arbitrary<Body> {
  const valid = schema ? validValue(schema) : fc.constant(lit('x'));
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...RAW_TEXTS).map((text): Body => ({ k: 'text', text })) },
    {
      weight: 2,
      arbitrary: fc.tuple(valid, fc.nat()).map(([node, cut]): Body => ({ k: 'text', text: jsonText(node).slice(0, cut % Math.max(1, jsonText(node).length)) })),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }).map((text): Body => ({ k: 'text', text })) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.constantFrom(...RAW_HEX),
          fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('hex')),
        )
        .map((hex): Body => ({ k: 'hex', hex })),
    },
    { weight: 1, arbitrary: fc.constantFrom(bodyLimit - 1, bodyLimit, bodyLimit + 1, 2 * bodyLimit).map((size): Body => ({ k: 'sized', size })) },
  );
}

const MAX_BODY_ESTIMATE = 3 * 1024 * 1024;

/** Bodies for a route with a JSON schema: mostly mutated valid bodies, some valid, hostile roots and raw bytes. */
export function bodyFor(schema: Schema | undefined, bodyLimit: number): fc.Arbitrary<Body> {
  if (!schema) return fc.oneof({ weight: 6, arbitrary: fc.constant<Body>({ k: 'none' }) }, { weight: 1, arbitrary: rawBody(undefined, bodyLimit) });
  const valid = validValue(schema);
  const json = fc.oneof(
    { weight: 12, arbitrary: validValue(schema, '', true) },
    { weight: 8, arbitrary: fc.tuple(valid, mutations(fieldNamesOf(schema))).map(([node, list]) => mutate(node, list)) },
    { weight: 4, arbitrary: valid },
    { weight: 2, arbitrary: hostileNode },
    { weight: 1, arbitrary: repeatNode },
  );
  return fc
    .oneof(
      {
        weight: 12,
        arbitrary: fc.tuple(json, fc.boolean()).map(([node, bom]): Body => ({ k: 'json', node, bom: bom && node.k === 'obj' && node.entries.length === 1 })),
      },
      { weight: 2, arbitrary: rawBody(schema, bodyLimit) },
      { weight: 1, arbitrary: fc.constant<Body>({ k: 'none' }) },
    )
    .filter((body) => body.k !== 'json' || estimateBytes(body.node) <= MAX_BODY_ESTIMATE);
}
