import { Type } from '@nestjs/common';
import { declaredRoutes } from '../support/declared-routes';

/** The subset of JSON Schema the apps' OpenAPI documents use. */
export interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  maxItems?: number;
  default?: unknown;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  allOf?: Schema[];
  $ref?: string;
}

interface Operation {
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface Param {
  name: string;
  required: boolean;
  schema: Schema;
}

export interface FuzzRoute {
  /** The app's name, a key of the campaign's app URLs. */
  app: string;
  method: string;
  /** OpenAPI form: `/api/elt/runs/{id}`. */
  template: string;
  pathParams: Param[];
  queryParams: Param[];
  /** JSON body schema, $refs resolved. */
  body?: Schema;
  /** Which token the route wants: gateway routes take gateway tokens, /health none. */
  auth: 'user' | 'gateway' | 'public';
}

export function routeKey(route: Pick<FuzzRoute, 'method' | 'template'>): string {
  return `${route.method} ${route.template}`;
}

/** Inlines `$ref` and `allOf` so generators see plain schemas. */
function resolveSchema(schema: Schema | undefined, doc: OpenApiDocument, depth = 0): Schema | undefined {
  if (!schema || depth > 8) return schema;
  if (schema.$ref) return resolveSchema(doc.components?.schemas?.[schema.$ref.split('/').pop() ?? ''], doc, depth + 1);
  if (schema.allOf?.length) {
    const merged = schema.allOf.map((part) => resolveSchema(part, doc, depth + 1)).reduce<Schema>((all, part) => ({ ...all, ...part }), {});
    const { allOf: _allOf, ...rest } = schema;
    return resolveSchema({ ...merged, ...rest }, doc, depth + 1);
  }
  const properties =
    schema.properties && Object.fromEntries(Object.entries(schema.properties).map(([name, child]) => [name, resolveSchema(child, doc, depth + 1) ?? {}]));
  return { ...schema, properties, items: resolveSchema(schema.items, doc, depth + 1) };
}

function authOf(template: string): FuzzRoute['auth'] {
  if (template === '/health') return 'public';
  return template.startsWith('/api/agent/') ? 'gateway' : 'user';
}

async function fetchDocument(baseUrl: string): Promise<OpenApiDocument> {
  const response = await fetch(`${baseUrl}/docs-json`);
  if (!response.ok) throw new Error(`GET ${baseUrl}/docs-json answered ${response.status}`);
  return (await response.json()) as OpenApiDocument;
}

/**
 * Every route of one app: the OpenAPI document (parameters, body schemas) joined with the
 * controllers' declared routes, so a route missing from the document is still fuzzed.
 */
export async function discoverRoutes(app: FuzzRoute['app'], baseUrl: string, controllers: Type<unknown>[]): Promise<FuzzRoute[]> {
  const doc = await fetchDocument(baseUrl);
  const routes = new Map<string, FuzzRoute>();
  for (const [template, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const params = (operation.parameters ?? []).map((p) => ({
        name: p.name,
        in: p.in,
        required: Boolean(p.required),
        schema: resolveSchema(p.schema, doc) ?? {},
      }));
      const route: FuzzRoute = {
        app,
        method: method.toUpperCase(),
        template,
        pathParams: params.filter((p) => p.in === 'path'),
        queryParams: params.filter((p) => p.in === 'query'),
        body: resolveSchema(operation.requestBody?.content?.['application/json']?.schema, doc),
        auth: authOf(template),
      };
      routes.set(routeKey(route), route);
    }
  }
  for (const declared of declaredRoutes(controllers)) {
    if (routes.has(routeKey(declared))) continue;
    const pathParams = [...declared.template.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, required: true, schema: { type: 'string' } }));
    const wantsBody = declared.method === 'POST' || declared.method === 'PATCH' || declared.method === 'PUT';
    routes.set(routeKey(declared), {
      app,
      ...declared,
      pathParams,
      queryParams: [],
      body: wantsBody ? { type: 'object' } : undefined,
      auth: authOf(declared.template),
    });
  }
  return [...routes.values()];
}
