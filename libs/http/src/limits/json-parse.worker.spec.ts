import { DEFAULT_BODY_SHAPE } from '../body-shape';
import { parseJsonBody } from './json-parse.worker';

const parse = (text: string) => parseJsonBody({ text, shape: DEFAULT_BODY_SHAPE });

describe('parseJsonBody (the JSON worker)', () => {
  it('hands back a body that parses and fits the shape', () => {
    expect(parse('{"status":"running","logEntries":[{"level":"info","message":"m"}]}')).toEqual({
      value: { status: 'running', logEntries: [{ level: 'info', message: 'm' }] },
    });
  });

  it('says invalid JSON, as Fastify does, for syntax errors and prototype keys', () => {
    expect(parse('{"status":')).toEqual({ invalidJson: true });
    expect(parse('{"a":{"__proto__":{"x":1}}}')).toEqual({ invalidJson: true });
    expect(parse('{"a":{"constructor":{"prototype":{"x":1}}}}')).toEqual({ invalidJson: true });
  });

  it('names the shape problem instead of handing back a body no route takes', () => {
    expect(parse('[1]')).toEqual({ problem: { field: 'body', reason: 'must be a JSON object' } });
    expect(parse(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)).toEqual({
      problem: { field: `a${'.0'.repeat(DEFAULT_BODY_SHAPE.maxDepth - 1)}`, reason: `nests deeper than ${DEFAULT_BODY_SHAPE.maxDepth} levels` },
    });
    expect(parse(JSON.stringify({ logEntries: Array.from({ length: 2_001 }, () => 1) }))).toEqual({
      problem: { field: 'logEntries', reason: 'must hold at most 2000 items' },
    });
    expect(parse(JSON.stringify({ constructor: 1 }))).toEqual({ problem: { field: 'constructor', reason: '"constructor" is a reserved name' } });
  });

  it('checks the shape it is given', () => {
    expect(parseJsonBody({ text: '{"a":[1,2,3]}', shape: { ...DEFAULT_BODY_SHAPE, maxArrayItems: 2 } })).toEqual({
      problem: { field: 'a', reason: 'must hold at most 2 items' },
    });
  });
});
