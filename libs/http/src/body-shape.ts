/**
 * The largest shape a JSON body may have, checked before anything walks it recursively. Pure:
 * the JSON worker (limits/json-parse.worker.ts) loads it without Nest.
 */

/** The largest shape any body of an app takes; each app sets its own (ingest: 8 levels, 2,000 items, 64 keys). */
export interface BodyShapeLimits {
  maxDepth: number;
  maxArrayItems: number;
  maxObjectKeys: number;
}

/** No write body nests deeper than logEntries[i].at (3); room for clients' mistakes to be named. */
export const MAX_BODY_DEPTH = 8;
export const DEFAULT_BODY_SHAPE: BodyShapeLimits = { maxDepth: MAX_BODY_DEPTH, maxArrayItems: 2_000, maxObjectKeys: 64 };
/**
 * Keys that mean something to JavaScript objects. Nest's validation pipe would silently delete
 * them (and the event schema refuses them), so a client is told instead of losing data.
 */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export interface ShapeProblem {
  field: string;
  reason: string;
}

/** The first place a JSON body nests too deeply, is too large or holds a reserved key, or undefined. */
export function bodyShapeProblem(value: unknown, limits: BodyShapeLimits = DEFAULT_BODY_SHAPE, path = '', depth = 0): ShapeProblem | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= limits.maxDepth) return { field: path, reason: `nests deeper than ${limits.maxDepth} levels` };
  // Sizes first: validation builds an error per item, so 500k items would hold the event loop for seconds.
  if (Array.isArray(value)) {
    if (value.length > limits.maxArrayItems) return { field: path || 'body', reason: `must hold at most ${limits.maxArrayItems} items` };
  } else if (Object.keys(value).length > limits.maxObjectKeys) {
    return { field: path || 'body', reason: `must have at most ${limits.maxObjectKeys} keys` };
  }
  for (const [key, item] of Object.entries(value)) {
    const field = path === '' ? key : `${path}.${key}`;
    if (!Array.isArray(value) && RESERVED_KEYS.has(key)) return { field, reason: `${JSON.stringify(key)} is a reserved name` };
    const found = bodyShapeProblem(item, limits, field, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** What is wrong with a whole request body, or undefined; bodyless requests (undefined, null) pass. */
export function requestBodyProblem(body: unknown, limits: BodyShapeLimits): ShapeProblem | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body)) return { field: 'body', reason: 'must be a JSON object' };
  return bodyShapeProblem(body, limits);
}
