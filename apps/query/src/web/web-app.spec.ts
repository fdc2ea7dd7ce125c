import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerWebApp } from './web-app';
import { isApiPath } from './web-bundle';

@Module({})
class EmptyModule {}

async function appServing(dir: string): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(EmptyModule, new FastifyAdapter(), { logger: false });
  await registerWebApp(app, dir);
  await app.init();
  return app;
}

describe('the query app serving the web app', () => {
  const root = mkdtempSync(join(tmpdir(), 'runstream-web-'));
  const built = join(root, 'web');
  let app: NestFastifyApplication;
  const get = (url: string) => app.getHttpAdapter().getInstance().inject({ method: 'GET', url });

  beforeAll(() => {
    mkdirSync(join(built, 'assets'), { recursive: true });
    writeFileSync(join(built, 'index.html'), '<!doctype html><title>Runstream</title>');
    writeFileSync(join(built, 'assets', 'index-abc123.js'), 'console.log(1)');
  });

  afterEach(async () => app?.close());
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('answers index.html, never cached, at / and at any app path, so shared URLs open the app', async () => {
    app = await appServing(built);
    for (const url of ['/', '/projects/p1/runs?status=failed', '/runs/run_1']) {
      const page = await get(url);
      expect({ url, status: page.statusCode, cache: page.headers['cache-control'], type: page.headers['content-type'] }).toEqual({
        url,
        status: 200,
        cache: 'no-cache',
        type: 'text/html; charset=utf-8',
      });
      expect(page.body).toContain('<title>Runstream</title>');
    }
  });

  it('serves hashed assets cached for a year, and a missing one as 404', async () => {
    app = await appServing(built);
    const asset = await get('/assets/index-abc123.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get('/assets/index-gone.js')).statusCode).toBe(404);
  });

  it('leaves API paths to the API: an unknown one is a JSON 404, not the app', async () => {
    app = await appServing(built);
    for (const url of ['/api/v1/nope', '/v1/nope', '/docs-json', '/health/x', '/api']) {
      const answer = await get(url);
      expect({ url, status: answer.statusCode, json: String(answer.headers['content-type']).startsWith('application/json') }).toEqual({
        url,
        status: 404,
        json: true,
      });
    }
    expect(['/projects', '/apiary', '/documents', '/v1x'].filter(isApiPath)).toEqual([]);
  });

  it('says the bundle was not built (503) instead of failing, when dist/web is missing', async () => {
    app = await appServing(join(root, 'missing'));
    const page = await get('/projects/p1/runs');
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('npm run build');
    expect((await get('/api/v1/nope')).statusCode).toBe(404);
  });
});
