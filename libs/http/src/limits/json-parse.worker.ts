/**
 * Runs in a worker thread (piscina, limits/json-body-parser.ts): parses one large JSON body and
 * checks its shape, so that neither holds the event loop every request shares. A refused body
 * never crosses back: those are the expensive ones (1 MiB of nested brackets or keys takes
 * 10-50 ms to parse). An accepted one comes back as a structured clone, which costs the loop
 * about what parsing it would (well under a millisecond for the bodies routes take).
 */
import secureJsonParse from 'secure-json-parse';
import { BodyShapeLimits, requestBodyProblem, ShapeProblem } from '../body-shape';

export interface JsonParseTask {
  text: string;
  shape: BodyShapeLimits;
}

export type JsonParseResult = { value: unknown } | { problem: ShapeProblem } | { invalidJson: true };

/** Fastify's default JSON parser's rules: `__proto__` and `constructor.prototype` are errors. */
const PARSE_OPTIONS = { protoAction: 'error', constructorAction: 'error' } as const;

export function parseJsonBody({ text, shape }: JsonParseTask): JsonParseResult {
  let value: unknown;
  try {
    value = secureJsonParse(text, PARSE_OPTIONS);
  } catch {
    return { invalidJson: true };
  }
  const problem = requestBodyProblem(value, shape);
  return problem ? { problem } : { value };
}

export default parseJsonBody;
