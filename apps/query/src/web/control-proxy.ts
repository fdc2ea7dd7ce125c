import fastifyHttpProxy from '@fastify/http-proxy';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyInstance, FastifyReply, RawServerBase, RouteGenericInterface } from 'fastify';

/**
 * The Jobs API routes the web app calls, forwarded to the control app so the browser stays on
 * one origin (no CORS, one token). The path is kept; the Authorization header goes through and
 * the control app checks it. When the control app cannot be reached or does not answer, the
 * caller gets 503 with Retry-After (docs/web.md), never a 500.
 */
export const CONTROL_PREFIXES = ['/api/v1/jobs', '/api/v1/projects/:id/jobs'];

export async function registerControlProxy(app: NestFastifyApplication, controlUrl: string): Promise<void> {
  await app.register(async (scope: FastifyInstance) => {
    // Bodies go through as bytes: the proxy brings its own parsers, so this scope drops the
    // JSON parser the platform added (libs/http/src/http-app.ts) instead of clashing with it.
    scope.removeContentTypeParser('application/json');
    for (const prefix of CONTROL_PREFIXES) {
      await scope.register(fastifyHttpProxy, {
        upstream: controlUrl,
        prefix,
        rewritePrefix: prefix,
        replyOptions: { onError: (reply, { error }) => controlUnavailable(reply, error) },
      });
    }
  });
}

/** Any reply type: the proxy's replies are typed for HTTP/2 servers too. */
function controlUnavailable(reply: FastifyReply<RouteGenericInterface, RawServerBase>, error: Error): void {
  reply.log.warn({ err: error }, 'Jobs API (control app) unreachable');
  void reply
    .code(503)
    .header('retry-after', '5')
    .send({ statusCode: 503, error: 'Service Unavailable', message: 'the Jobs API (control app) cannot be reached; retry later' });
}
