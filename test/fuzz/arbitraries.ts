import fc from 'fast-check';
import { bodyFor } from './bodies';
import { HOSTILE_DAY_DATES, HOSTILE_NUMBER_TEXTS, hostileDate, hostileString, PROTOTYPE_KEYS, repeatTimes, REPEAT_UNITS } from './hostile';
import { Body, FuzzRequest, Piece } from './payload';
import { FuzzRoute, Param, routeKey } from './routes';

/** Percent-encodes every code unit as UTF-8, lone surrogates included (as the invalid bytes WTF-8 gives them). */
export function percentEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const isHigh = unit >= 0xd800 && unit <= 0xdbff;
    const next = text.charCodeAt(i + 1);
    if (isHigh && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(text[i]);
    }
  }
  return out;
}

/** Already-encoded text that no decoder accepts, or that decodes to separators. */
const MIS_ENCODED = [
  '%',
  '%zz',
  '%E0%A4',
  '%E0%A4%A',
  '%00',
  '%2F',
  '%2e%2e',
  '..',
  '.',
  '%ff%fe',
  'a%',
  '%%',
  '%u0041',
  '%C0%AF',
  '%ED%A0%80',
  '%2F..%2F..%2Fetc%2Fpasswd',
  '%23',
  '%3F',
  '%20',
  '+',
  '%0d%0a',
];

const misEncoded = fc.constantFrom(...MIS_ENCODED);

const longSegment = fc.tuple(fc.constantFrom(...REPEAT_UNITS), repeatTimes).map(([unit, times]) => percentEncode(unit.repeat(Math.min(times, 3_000))));

/** A path parameter naming something that exists: a run made for the fuzz, a project, a model. */
function realParam(route: FuzzRoute, param: Param): fc.Arbitrary<Piece> {
  if (route.template.includes('/projects/{') && param.name === 'id') return fc.constantFrom('fz-hostile', 'fz-empty', 'fz-other');
  if (param.name === 'modelName') return fc.constantFrom('orders.stg_orders', 'fz.model');
  const any = fc.nat().map((index): Piece => ({ ref: 'run', index }));
  if (route.auth !== 'gateway') return any;
  return fc.oneof({ weight: 3, arbitrary: fc.nat().map((index): Piece => ({ ref: 'run', index, pool: 'gateway' })) }, { weight: 1, arbitrary: any });
}

/** A path parameter: a real one, else random, hostile, mis-encoded or huge. */
function pathParam(route: FuzzRoute, param: Param): fc.Arbitrary<Piece> {
  return fc.oneof(
    { weight: 3, arbitrary: realParam(route, param) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,40}$/) },
    { weight: 3, arbitrary: hostileString.map(percentEncode) },
    { weight: 2, arbitrary: misEncoded },
    { weight: 1, arbitrary: longSegment },
  );
}

/** A query-string value for a declared parameter: valid for its schema, or hostile for its type. */
function queryValue(param: Param): fc.Arbitrary<string> {
  const { schema } = param;
  const valid: fc.Arbitrary<string> = schema.enum?.length
    ? fc.constantFrom(...schema.enum.map(String))
    : schema.type === 'number' || schema.type === 'integer'
      ? fc.integer({ min: schema.minimum ?? 0, max: Math.min(schema.maximum ?? 1e6, Number.MAX_SAFE_INTEGER) }).map(String)
      : schema.type === 'boolean'
        ? fc.constantFrom('true', 'false')
        : schema.format === 'date-time'
          ? fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString())
          : schema.format === 'date'
            ? fc
                .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
                .map((d) => d.toISOString().slice(0, 10))
            : fc.string({ minLength: 1, maxLength: 20 });
  const hostile: fc.Arbitrary<string> =
    schema.type === 'number' || schema.type === 'integer'
      ? fc.oneof(
          fc.constantFrom(...HOSTILE_NUMBER_TEXTS),
          fc.constantFrom(String(schema.maximum ?? 1e6), String((schema.maximum ?? 1e6) + 1), String(schema.minimum ?? 0), String((schema.minimum ?? 0) - 1)),
        )
      : schema.format === 'date-time'
        ? hostileDate
        : schema.format === 'date'
          ? fc.oneof(fc.constantFrom(...HOSTILE_DAY_DATES), hostileDate)
          : fc.oneof(
              hostileString,
              fc.tuple(fc.constantFrom(...REPEAT_UNITS), repeatTimes).map(([unit, times]) => unit.repeat(Math.min(times, 1_500))),
            );
  return fc.oneof(
    { weight: 3, arbitrary: valid.map(percentEncode) },
    { weight: 3, arbitrary: hostile.map(percentEncode) },
    { weight: 1, arbitrary: misEncoded },
  );
}

/** A valid value for a declared parameter. */
function validQueryValue(param: Param): fc.Arbitrary<string> {
  const { schema } = param;
  if (schema.enum?.length) return fc.constantFrom(...schema.enum.map(String));
  // A window (from before to, a couple of days) the stats route accepts.
  if (param.name === 'from') return fc.integer({ min: Date.parse('2026-02-25'), max: Date.parse('2026-02-26') }).map(String);
  if (param.name === 'to') return fc.integer({ min: Date.parse('2026-02-26') + 1, max: Date.parse('2026-02-27') }).map(String);
  if (schema.type === 'number' || schema.type === 'integer')
    return fc.integer({ min: schema.minimum ?? 0, max: Math.min(schema.maximum ?? 100, 100) }).map(String);
  if (schema.type === 'boolean') return fc.constantFrom('true', 'false');
  if (schema.format === 'date-time')
    return fc
      .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
      .map((d) => percentEncode(d.toISOString()));
  if (schema.format === 'date')
    return fc
      .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
  return fc.constantFrom('hourly', 'orders.stg_orders', 'control').map(percentEncode);
}

/** A query a careful client sends: required parameters, some optional ones, valid values. */
function cleanQuery(route: FuzzRoute): fc.Arbitrary<string> {
  const parts = route.queryParams.map((param) =>
    param.required
      ? validQueryValue(param).map((v) => [`${param.name}=${v}`])
      : fc.option(
          validQueryValue(param).map((v) => [`${param.name}=${v}`]),
          { nil: [] as string[] },
        ),
  );
  return fc.tuple(...parts).map((all) => (all.flat().length ? `?${all.flat().join('&')}` : ''));
}

/** The query string: declared parameters (some left out, some repeated), unknown and prototype keys, odd separators. */
function hostileQuery(route: FuzzRoute): fc.Arbitrary<string> {
  const declared = route.queryParams.map((param) =>
    fc.oneof(
      { weight: param.required ? 1 : 3, arbitrary: fc.constant<string[]>([]) },
      { weight: 5, arbitrary: queryValue(param).map((v) => [`${param.name}=${v}`]) },
      { weight: 1, arbitrary: fc.array(queryValue(param), { minLength: 2, maxLength: 3 }).map((vs) => vs.map((v) => `${param.name}=${v}`)) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          [param.name],
          [`${param.name}=`],
          [`${param.name}[]=1`],
          [`${param.name}[a]=1`],
          [`${percentEncode(param.name.toUpperCase())}=1`],
        ),
      },
    ),
  );
  const extraKey = fc.oneof(
    fc.constantFrom(...PROTOTYPE_KEYS, '__proto__[x]', 'constructor[prototype][x]', 'a[b][c]'),
    hostileString.map(percentEncode),
    misEncoded,
  );
  const extra = fc.tuple(extraKey, fc.oneof(hostileString.map(percentEncode), misEncoded)).map(([k, v]) => `${k}=${v}`);
  // Now and then one key hundreds of times (parsers that build arrays or objects per key).
  const flood = fc
    .tuple(fc.constantFrom(...route.queryParams.map((p) => p.name), '__proto__', 'x'), fc.constantFrom(100, 500))
    .map(([key, n]) => Array.from({ length: n }, (_, i) => `${key}=${i}`).join('&'));
  const extras = fc.oneof({ weight: 8, arbitrary: fc.array(extra, { maxLength: 2 }) }, { weight: 1, arbitrary: flood.map((f) => [f]) });
  const separator = fc.constantFrom('&', '&', '&', '&&', ';');
  return fc.tuple(fc.tuple(...declared), extras, separator, fc.boolean()).map(([parts, extra, sep, question]) => {
    const all = [...parts.flat(), ...extra];
    return all.length ? `?${all.join(sep)}` : question ? '?' : '';
  });
}

/** Tokens by name (resolved on send), and what a confused or hostile client puts in Authorization. */
function authorization(route: FuzzRoute): fc.Arbitrary<Piece[] | undefined> {
  const right = route.auth === 'gateway' ? 'gateway' : 'user';
  const bearer = (name: string): Piece[] => ['Bearer ', { ref: 'token', name }];
  return fc.oneof(
    { weight: 14, arbitrary: fc.constant(bearer(right)) },
    { weight: 1, arbitrary: fc.constantFrom('user', 'gateway', 'otherOrg', 'otherGateway', 'revoked').map(bearer) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.constantFrom<Piece[]>(
          ['Bearer '],
          ['Bearer rst_'],
          ['Basic dXNlcjpwYXNz'],
          ['bearer ', { ref: 'token', name: right }],
          ['Bearer  ', { ref: 'token', name: right }],
          [{ ref: 'token', name: right }],
          ['Bearer ', { ref: 'token', name: right }, 'x'],
          ['Bearer rst_\u00e9\u00ff'],
        ),
        fc.tuple(fc.constantFrom('a', 'rst_', '.'), fc.integer({ min: 1, max: 12_000 })).map(([unit, n]): Piece[] => ['Bearer ', unit.repeat(n)]),
        fc.string({ maxLength: 40 }).map((s): Piece[] => ['Bearer ', s]),
      ),
    },
  );
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/xml',
  '',
  'application/json, text/plain',
  '*/*',
  'application/json;;;',
];

const OPTIONAL_HEADERS: fc.Arbitrary<[string, Piece[]]>[] = [
  fc
    .oneof(
      fc.constantFrom<Piece[]>([{ ref: 'org', name: 'own' }], [{ ref: 'org', name: 'other' }], ['*'], ['']),
      fc.string({ maxLength: 20 }).map((s) => [s]),
    )
    .map((v): [string, Piece[]] => ['x-organization-id', v]),
  // A few shared keys: the same key on other routes and bodies, concurrently.
  fc
    .oneof(
      fc.string({ minLength: 1, maxLength: 40 }),
      fc.constantFrom('fz-shared-1', 'fz-shared-2', 'fz-shared-3'),
      fc.constantFrom('', ' ', 'a'.repeat(255), 'a'.repeat(256), '\u00e9t\u00e9'),
    )
    .map((v): [string, Piece[]] => ['idempotency-key', [v]]),
  // A second Authorization or Content-Type header (node sends both lines).
  fc.constantFrom<[string, Piece[]]>(
    ['authorization', ['Bearer ', { ref: 'token', name: 'otherOrg' }]],
    ['authorization', ['Bearer ', { ref: 'token', name: 'user' }]],
    ['content-type', ['text/plain']],
    ['content-type', ['application/json']],
  ),
  fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'gzip, gzip', 'x-unknown').map((v): [string, Piece[]] => ['content-encoding', [v]]),
  fc.constantFrom('text/html', 'application/xml', '*/*;q=-1', '').map((v): [string, Piece[]] => ['accept', [v]]),
  fc
    .oneof(fc.constantFrom('::::', '1.2.3.4, ', 'unknown', '999.999.999.999', ', , ,'), fc.string({ maxLength: 30 }))
    .map((v): [string, Piece[]] => ['x-forwarded-for', [v]]),
];

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PROPFIND', 'SEARCH', 'FOO'];

/** Content-Type: JSON for a body, none without one; sometimes missing, sometimes anything else. */
const contentTypeChoice = fc.oneof(
  { weight: 14, arbitrary: fc.constant<string | null>(null) },
  { weight: 1, arbitrary: fc.constant<string | null>('') },
  { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
);

function contentType(body: Body, choice: string | null): Piece[] | undefined {
  if (choice === '') return undefined;
  if (choice === null) return body.k === 'none' ? undefined : ['application/json'];
  return [choice];
}

/** Requests for one route: half with only the body (or, without one, the query) hostile, half hostile anywhere. */
export function requestFor(route: FuzzRoute, bodyLimit: number): fc.Arbitrary<FuzzRequest> {
  const segments = route.template.split(/(\{\w+\})/).filter(Boolean);
  const pathOf = (param: (route: FuzzRoute, param: Param) => fc.Arbitrary<Piece>): fc.Arbitrary<Piece[]> =>
    fc.tuple(
      ...segments.map((segment) => {
        const declared = route.pathParams.find((p) => `{${p.name}}` === segment);
        return declared ? param(route, declared) : fc.constant<Piece>(segment);
      }),
    );
  const body = bodyFor(route.body, bodyLimit);
  const right: Piece[] = ['Bearer ', { ref: 'token', name: route.auth === 'gateway' ? 'gateway' : 'user' }];
  // A careful client's envelope, so a hostile body or query reaches deep into the handler, the broker and the materializer.
  const focused = fc
    .tuple(
      pathOf(realParam),
      route.body ? cleanQuery(route) : fc.oneof({ weight: 1, arbitrary: cleanQuery(route) }, { weight: 2, arbitrary: hostileQuery(route) }),
      body,
    )
    .map(([pieces, query, payload]): FuzzRequest => {
      const headers: [string, Piece[]][] = [['authorization', right]];
      if (payload.k !== 'none') headers.push(['content-type', ['application/json']]);
      return { route: routeKey(route), app: route.app, method: route.method, path: [...pieces, query], headers, body: payload };
    });
  const path = fc.oneof({ weight: 1, arbitrary: pathOf(realParam) }, { weight: 1, arbitrary: pathOf(pathParam) });
  const query = fc.oneof({ weight: 1, arbitrary: cleanQuery(route) }, { weight: 1, arbitrary: hostileQuery(route) });
  const suffix = fc.oneof(
    { weight: 8, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.constantFrom('/', '//', '/extra', ';a=b', '%', '/%2e%2e', '#frag') },
  );
  const method = fc.oneof({ weight: 5, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) });
  const extras = fc.tuple(...OPTIONAL_HEADERS.map((header) => fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: header })));
  const anywhere = fc
    .tuple(path, suffix, query, method, body, authorization(route), contentTypeChoice, extras)
    .map(([pieces, tail, query, verb, payload, auth, typeChoice, optional]): FuzzRequest => {
      const headers: [string, Piece[]][] = [];
      if (auth) headers.push(['authorization', auth]);
      const type = contentType(payload, typeChoice);
      if (type) headers.push(['content-type', type]);
      for (const header of optional) if (header) headers.push(header);
      return { route: routeKey(route), app: route.app, method: verb, path: [...pieces, tail, query], headers, body: payload };
    });
  return fc.oneof(focused, anywhere);
}

/** Paths no route declares, on every app: 404s must stay 404s. */
function strayRequest(apps: string[]): fc.Arbitrary<FuzzRequest> {
  const path = fc.oneof(
    fc.constantFrom(
      '/',
      '/api',
      '/api/elt',
      '/api/elt/runs/',
      '/docs-json',
      '/docs-yaml',
      '/docs',
      '/%',
      '//health',
      '/HEALTH',
      '/health/',
      '/health?x=%zz',
      '/..%2f..%2fetc%2fpasswd',
      '/api/v1/projects//runs',
      '/api/v1/runs/%00/logs',
      '/api/elt/runs/a/b/c',
      '/v1/executions',
      '/v1/executions/stats/extra',
    ),
    longSegment.map((segment) => `/api/elt/runs/${segment}`),
  );
  return fc.record({
    route: fc.constant('ANY (undeclared path)'),
    app: fc.constantFrom(...apps),
    method: fc.constantFrom(...METHODS),
    path: path.map((p) => [p]),
    headers: fc.constantFrom<[string, Piece[]][]>([], [['authorization', ['Bearer ', { ref: 'token', name: 'user' }]]]),
    body: fc.constant<Body>({ k: 'none' }),
  });
}

/** Every route, uniformly, plus a few undeclared paths. */
export function fuzzRequest(routes: FuzzRoute[], bodyLimit: number): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(...routes.map((route) => ({ weight: 10, arbitrary: requestFor(route, bodyLimit) })), {
    weight: 2,
    arbitrary: strayRequest([...new Set(routes.map((route) => route.app))]),
  });
}
