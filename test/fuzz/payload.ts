/**
 * Requests as small, printable recipes. A recipe names what it sends ("'a.' × 400000",
 * "object of 10000 keys") instead of holding it, so 10,000 of them fit in memory, a failure
 * prints in a line, and fast-check shrinks the counts. `materialize` turns one into bytes.
 */

/** A JSON value as text to write, including what JavaScript objects cannot hold (duplicate or `__proto__` keys, 1e309). */
export type JsonNode =
  | { k: 'lit'; v: null | boolean | number | string }
  /** Number text sent as is: 1e309, -0, 18446744073709551616. */
  | { k: 'num'; text: string }
  | { k: 'arr'; items: JsonNode[] }
  | { k: 'obj'; entries: [string, JsonNode][] }
  /** An object of n keys `${prefix}${i}`. */
  | { k: 'keys'; n: number; prefix: string; value: JsonNode }
  /** An array of n copies of item. */
  | { k: 'many'; n: number; item: JsonNode }
  /** A string of `unit` repeated. */
  | { k: 'rep'; unit: string; times: number }
  /** `value` nested `depth` times in arrays or objects. */
  | { k: 'deep'; depth: number; as: 'arr' | 'obj'; value: JsonNode };

export type Body =
  | { k: 'none' }
  | { k: 'json'; node: JsonNode; bom?: boolean }
  /** Raw text, UTF-8 encoded (invalid JSON and the like). */
  | { k: 'text'; text: string }
  /** Raw bytes, hex: invalid UTF-8, fake gzip magic. */
  | { k: 'hex'; hex: string }
  /** `{"jobName":"xxx…"}` padded to exactly `size` bytes (around the body limit). */
  | { k: 'sized'; size: number };

/** Values resolved when the request is sent: tokens and ids created by the running stack. */
/** A run of the context: `gateway` ones are targeted at the fuzzed gateway (agent routes), the rest anything. */
export type Ref = { ref: 'token'; name: string } | { ref: 'run'; index: number; pool?: 'gateway' } | { ref: 'org'; name: string };

export type Piece = string | Ref;

export interface FuzzRequest {
  /** The route this request was generated for, e.g. `PATCH /api/elt/runs/{id}` (grouping, coverage). */
  route: string;
  /** Which app (a key of the campaign's app URLs) serves the route. */
  app: string;
  method: string;
  /** Path and query, already percent-encoded (or deliberately mis-encoded); refs are URL-encoded on send. */
  path: Piece[];
  headers: [string, Piece[]][];
  body: Body;
}

export interface SendContext {
  tokens: Record<string, string>;
  orgs: Record<string, string>;
  runs: string[];
  gatewayRuns: string[];
}

export interface Materialized {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
}

function resolve(piece: Piece, ctx: SendContext, encode: boolean): string {
  if (typeof piece === 'string') return piece;
  const runs = piece.ref === 'run' && piece.pool === 'gateway' ? ctx.gatewayRuns : ctx.runs;
  const value = piece.ref === 'token' ? (ctx.tokens[piece.name] ?? '') : piece.ref === 'org' ? (ctx.orgs[piece.name] ?? '') : runs[piece.index % runs.length];
  return encode ? encodeURIComponent(value) : value;
}

export function jsonText(node: JsonNode): string {
  switch (node.k) {
    case 'lit':
      return JSON.stringify(node.v) ?? 'null';
    case 'num':
      return node.text;
    case 'arr':
      return `[${node.items.map(jsonText).join(',')}]`;
    case 'obj':
      return `{${node.entries.map(([key, value]) => `${JSON.stringify(key)}:${jsonText(value)}`).join(',')}}`;
    case 'keys': {
      const value = jsonText(node.value);
      return `{${Array.from({ length: node.n }, (_, i) => `${JSON.stringify(`${node.prefix}${i}`)}:${value}`).join(',')}}`;
    }
    case 'many':
      return `[${Array(node.n).fill(jsonText(node.item)).join(',')}]`;
    case 'rep':
      return JSON.stringify(node.unit.repeat(node.times));
    case 'deep':
      return node.as === 'arr'
        ? `${'['.repeat(node.depth)}${jsonText(node.value)}${']'.repeat(node.depth)}`
        : `${'{"a":'.repeat(node.depth)}${jsonText(node.value)}${'}'.repeat(node.depth)}`;
  }
}

export function bodyBytes(body: Body): Buffer | undefined {
  switch (body.k) {
    case 'none':
      return undefined;
    case 'json':
      return Buffer.from(`${body.bom ? '\ufeff' : ''}${jsonText(body.node)}`, 'utf8');
    case 'text':
      return Buffer.from(body.text, 'utf8');
    case 'hex':
      return Buffer.from(body.hex, 'hex');
    case 'sized': {
      const frame = '{"jobName":"","projectId":"fz-sized"}';
      return Buffer.from(frame.replace('""', `"${'x'.repeat(Math.max(0, body.size - frame.length))}"`), 'utf8');
    }
  }
}

export function materialize(request: FuzzRequest, ctx: SendContext): Materialized {
  const headers: Record<string, string | string[]> = {};
  for (const [name, pieces] of request.headers) {
    const value = pieces.map((p) => resolve(p, ctx, false)).join('');
    const previous = headers[name];
    headers[name] = previous === undefined ? value : ([] as string[]).concat(previous, value);
  }
  return { method: request.method, path: request.path.map((p) => resolve(p, ctx, true)).join(''), headers, body: bodyBytes(request.body) };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}

/** One request as a curl command line (body truncated), to paste when reproducing a finding. */
export function describeRequest(request: FuzzRequest, ctx: SendContext, baseUrl: string, maxBody = 400): string {
  const sent = materialize(request, ctx);
  const headerArgs = Object.entries(sent.headers)
    .flatMap(([name, value]) => ([] as string[]).concat(value).map((v) => `-H ${JSON.stringify(`${name}: ${truncate(v, 120)}`)}`))
    .join(' ');
  const body = sent.body === undefined ? '' : ` --data-binary ${JSON.stringify(truncate(sent.body.toString('latin1'), maxBody))}`;
  return `curl -X ${sent.method} ${JSON.stringify(baseUrl + truncate(sent.path, 600))} ${headerArgs}${body}`;
}

/** Bytes a body will take, without building it (keeps generated bodies within a few MiB). */
export function estimateBytes(node: JsonNode): number {
  switch (node.k) {
    case 'lit':
      return typeof node.v === 'string' ? node.v.length * 3 + 2 : 8;
    case 'num':
      return node.text.length;
    case 'arr':
      return 2 + node.items.reduce((sum, item) => sum + estimateBytes(item) + 1, 0);
    case 'obj':
      return 2 + node.entries.reduce((sum, [key, value]) => sum + key.length * 3 + 4 + estimateBytes(value), 0);
    case 'keys':
      return node.n * (node.prefix.length + 10 + estimateBytes(node.value));
    case 'many':
      return node.n * (estimateBytes(node.item) + 1);
    case 'rep':
      return node.unit.length * node.times * 3;
    case 'deep':
      return node.depth * 6 + estimateBytes(node.value);
  }
}
