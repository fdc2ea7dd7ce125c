import { http } from '@runstream/testing';
import { loadIngestConfig } from '../../apps/ingest/src/config/ingest.config';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { loadQueryConfig } from '../../apps/query/src/config/query.config';
import { QueryModule } from '../../apps/query/src/query.module';
import { loadControlConfig } from '../../apps/control/src/config/control.config';
import { ControlModule } from '../../apps/control/src/control.module';
import { declaredRoutes } from '../support/declared-routes';
import { startStack, Stack } from '../support/stack';
import { ControlInstance, startControl } from './support-control';

interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { parameters?: { name: string; in: string; required?: boolean; schema?: { default?: unknown; maximum?: number } }[]; requestBody?: unknown }>
  >;
}

describe('OpenAPI documents', () => {
  let stack: Stack;
  let control: ControlInstance;

  beforeAll(async () => {
    stack = await startStack('openapi');
    control = await startControl(stack);
  });

  afterAll(async () => {
    await control?.app.close();
    await stack?.close();
  });

  it.each([
    ['ingest', () => stack.ingestUrl, () => IngestModule.forRoot(loadIngestConfig(stack.env)).controllers ?? []],
    ['query', () => stack.queryUrl, () => QueryModule.forRoot(loadQueryConfig(stack.env)).controllers ?? []],
    ['control', () => control.url, () => ControlModule.forRoot(loadControlConfig(stack.env)).controllers ?? []],
  ])('the %s app describes every route it serves', async (_name, url, controllers) => {
    const response = await http<OpenApiDocument>('GET', `${url()}/docs-json`);
    expect(response.status).toBe(200);
    const routes = declaredRoutes(controllers()).map(({ method, template }) => ({ method: method.toLowerCase(), path: template }));
    expect(routes.length).toBeGreaterThan(3);
    for (const { method, path } of routes) {
      expect({ method, path, documented: Boolean(response.body.paths[path]?.[method]) }).toEqual({ method, path, documented: true });
    }
  });

  it('documents parameters, defaults and maxima from the DTOs', async () => {
    const { body } = await http<OpenApiDocument>('GET', `${stack.queryUrl}/docs-json`);
    const list = body.paths['/api/v1/projects/{id}/runs'].get.parameters ?? [];
    expect(list.map((p) => p.name).sort()).toEqual([
      'cronjob_name',
      'id',
      'include_stats',
      'include_telemetry',
      'job_type',
      'limit',
      'page',
      'status',
      'updated_after',
    ]);
    expect(list.find((p) => p.name === 'limit')?.schema).toMatchObject({ default: 50, maximum: 500 });
    expect(list.find((p) => p.name === 'include_telemetry')?.schema).toMatchObject({ type: 'boolean', default: false });
    const stats = body.paths['/v1/executions/stats'].get.parameters ?? [];
    expect(
      stats
        .filter((p) => p.required)
        .map((p) => p.name)
        .sort(),
    ).toEqual(['from', 'granularity', 'to']);
    const ingest = await http<OpenApiDocument>('GET', `${stack.ingestUrl}/docs-json`);
    expect(ingest.body.paths['/api/elt/runs/{id}'].patch.requestBody).toBeDefined();
  });

  it.each([
    ['ingest', () => stack.ingestUrl],
    ['query', () => stack.queryUrl],
    ['control', () => control.url],
  ])('the %s app serves Swagger UI at /docs, without a token, with its assets', async (_name, url) => {
    const page = await fetch(`${url()}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    const bundle = /src="([^"]*swagger-ui-bundle\.js)"/.exec(html)?.[1] ?? '';
    expect(bundle).not.toBe('');
    // Resolved as the browser showing /docs resolves it.
    const asset = await fetch(new URL(bundle, `${url()}/docs`));
    expect(asset.status).toBe(200);
    expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });
});
