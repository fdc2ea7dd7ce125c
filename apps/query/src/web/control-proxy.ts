import fastifyHttpProxy from '@fastify/http-proxy';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyInstance } from 'fastify';

/**
 * The Jobs API routes the web app calls, forwarded to the control app so the browser stays on
 * one origin (no CORS, one token). The path is kept; the Authorization header goes through and
 * the control app checks it. An unreachable control app answers 503 (docs/web.md).
 */
export const CONTROL_PREFIXES = ['/api/v1/jobs', '/api/v1/projects/:id/jobs'];

export async function registerControlProxy(app: NestFastifyApplication, controlUrl: string): Promise<void> {
  await app.register(async (scope: FastifyInstance) => {
    // Bodies go through as bytes: the proxy brings its own parsers, so this scope drops the
    // JSON parser the platform added (libs/http/src/http-app.ts) instead of clashing with it.
    scope.removeContentTypeParser('application/json');
    for (const prefix of CONTROL_PREFIXES) {
      await scope.register(fastifyHttpProxy, { upstream: controlUrl, prefix, rewritePrefix: prefix });
    }
  });
}
