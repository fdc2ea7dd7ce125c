import { bodyShapeProblem, DEFAULT_BODY_SHAPE, MAX_BODY_DEPTH } from './body-shape';

const { maxArrayItems: MAX_BODY_ARRAY_ITEMS, maxObjectKeys: MAX_BODY_OBJECT_KEYS } = DEFAULT_BODY_SHAPE;

describe('bodyShapeProblem', () => {
  it('passes every shape a write has', () => {
    expect(
      bodyShapeProblem({ logEntries: [{ at: 'x', level: 'info', message: 'm' }], telemetrySamples: [{ rows: 1 }], telemetrySummary: { hasOwnProperty: 1 } }),
    ).toBeUndefined();
    expect(bodyShapeProblem({ executions: [{ model_name: 'a' }] })).toBeUndefined();
  });

  it('names where a body nests too deeply, without walking all of it', () => {
    const deep = JSON.parse(`{"telemetrySummary":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`) as unknown;
    expect(bodyShapeProblem(deep)).toEqual({
      field: `telemetrySummary.a${'.0'.repeat(MAX_BODY_DEPTH - 2)}`,
      reason: `nests deeper than ${MAX_BODY_DEPTH} levels`,
    });
  });

  it('names reserved keys anywhere (JSON.parse makes __proto__ an own key)', () => {
    expect(bodyShapeProblem({ telemetrySummary: { constructor: 1 } })).toEqual({
      field: 'telemetrySummary.constructor',
      reason: '"constructor" is a reserved name',
    });
    expect(bodyShapeProblem(JSON.parse('{"logEntries":[{"__proto__":{"x":1}}]}'))).toEqual({
      field: 'logEntries.0.__proto__',
      reason: '"__proto__" is a reserved name',
    });
    expect(bodyShapeProblem({ prototype: 1 })?.field).toBe('prototype');
  });

  it('refuses arrays and objects larger than any write takes before reading them', () => {
    expect(bodyShapeProblem({ logEntries: Array.from({ length: MAX_BODY_ARRAY_ITEMS + 1 }, () => 1) })).toEqual({
      field: 'logEntries',
      reason: `must hold at most ${MAX_BODY_ARRAY_ITEMS} items`,
    });
    expect(bodyShapeProblem({ logEntries: Array.from({ length: MAX_BODY_ARRAY_ITEMS }, () => ({ level: 'info' })) })).toBeUndefined();
    const summary = Object.fromEntries(Array.from({ length: MAX_BODY_OBJECT_KEYS + 1 }, (_, i) => [`k${i}`, i]));
    expect(bodyShapeProblem({ telemetrySummary: summary })).toEqual({ field: 'telemetrySummary', reason: `must have at most ${MAX_BODY_OBJECT_KEYS} keys` });
    expect(bodyShapeProblem(summary)).toEqual({ field: 'body', reason: `must have at most ${MAX_BODY_OBJECT_KEYS} keys` });
  });
});
