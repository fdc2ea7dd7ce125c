import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { http } from '@runstream/testing';
import { loadIngestConfig } from '../../apps/ingest/src/config/ingest.config';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { loadQueryConfig } from '../../apps/query/src/config/query.config';
import { QueryModule } from '../../apps/query/src/query.module';
import { startStack, Stack } from '../support/stack';

interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string; required?: boolean; schema?: { default?: unknown; maximum?: number } }[]; requestBody?: unknown }>>;
}

/** Every (method, path) the controllers declare, read from Nest's own routing metadata. */
function declaredRoutes(controllers: Type<unknown>[]): { method: string; path: string }[] {
  return controllers.flatMap((controller) => {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const prototype = controller.prototype as Record<string, unknown>;
    return Object.getOwnPropertyNames(prototype)
      .filter((name) => name !== 'constructor' && Reflect.getMetadata(METHOD_METADATA, prototype[name] as object) !== undefined)
      .map((name) => {
        const handler = prototype[name] as object;
        const sub = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
        const path = `/${[base, sub].filter((part) => part && part !== '/').join('/')}`.replace(/:(\w+)/g, '{$1}');
        return { method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number].toLowerCase(), path };
      });
  });
}

describe('OpenAPI documents', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack('openapi');
  });

  afterAll(async () => {
    await stack?.close();
  });

  it.each([
    ['ingest', () => stack.ingestUrl, () => IngestModule.forRoot(loadIngestConfig(stack.env)).controllers ?? []],
    ['query', () => stack.queryUrl, () => QueryModule.forRoot(loadQueryConfig(stack.env)).controllers ?? []],
  ])('the %s app describes every route it serves', async (_name, url, controllers) => {
    const response = await http<OpenApiDocument>('GET', `${url()}/docs-json`);
    expect(response.status).toBe(200);
    const routes = declaredRoutes(controllers());
    expect(routes.length).toBeGreaterThan(3);
    for (const { method, path } of routes) {
      expect({ method, path, documented: Boolean(response.body.paths[path]?.[method]) }).toEqual({ method, path, documented: true });
    }
  });

  it('documents parameters, defaults and maxima from the DTOs', async () => {
    const { body } = await http<OpenApiDocument>('GET', `${stack.queryUrl}/docs-json`);
    const list = body.paths['/api/v1/projects/{id}/runs'].get.parameters ?? [];
    expect(list.map((p) => p.name).sort()).toEqual(['cronjob_name', 'id', 'include_stats', 'job_type', 'limit', 'page', 'status', 'updated_after']);
    expect(list.find((p) => p.name === 'limit')?.schema).toMatchObject({ default: 50, maximum: 500 });
    const stats = body.paths['/v1/executions/stats'].get.parameters ?? [];
    expect(stats.filter((p) => p.required).map((p) => p.name).sort()).toEqual(['from', 'granularity', 'to']);
    const ingest = await http<OpenApiDocument>('GET', `${stack.ingestUrl}/docs-json`);
    expect(ingest.body.paths['/api/elt/runs/{id}'].patch.requestBody).toBeDefined();
  });
});
