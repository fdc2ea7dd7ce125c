import fastifyStatic from '@fastify/static';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BUNDLE_MISSING_PAGE, isApiPath, webBundleDir } from './web-bundle';

/**
 * The web app (apps/web, docs/web.md) at `/`, same origin as the API: hashed assets under
 * /assets/ cached for a year, index.html never cached (so a deploy is picked up on reload) and
 * answered for every other GET that is not an API path, so shareable URLs like
 * /projects/p1/runs open the app. Without a built bundle those paths answer 503 with a page
 * saying so; the API is unaffected.
 */
export async function registerWebApp(app: NestFastifyApplication, dir: string = webBundleDir()): Promise<void> {
  const assets = join(dir, 'assets');
  if (existsSync(assets)) {
    // Swagger UI already registered @fastify/static and its reply decorators.
    await app.register(fastifyStatic, {
      root: assets,
      prefix: '/assets/',
      decorateReply: false,
      immutable: true,
      maxAge: '365d',
      index: false,
      wildcard: true,
    });
  }
  const fastify = app.getHttpAdapter().getInstance();
  const page = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const path = request.url.split('?')[0];
    if (isApiPath(path)) {
      await reply.code(404).send({ statusCode: 404, message: `Cannot ${request.method} ${path}`, error: 'Not Found' });
      return;
    }
    const html = await readFile(join(dir, 'index.html'), 'utf8').catch(() => undefined);
    void reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8');
    await (html === undefined ? reply.code(503).send(BUNDLE_MISSING_PAGE) : reply.send(html));
  };
  fastify.get('/', page);
  fastify.get('/*', page);
}
