import fastifyHttpProxy from '@fastify/http-proxy';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyInstance, FastifyReply, FastifyRequest, RawServerBase, RouteGenericInterface } from 'fastify';
import { IncomingHttpHeaders } from 'node:http';

export interface ForwardedRoutes {
  /** The app that answers them, e.g. http://127.0.0.1:3003. */
  upstream: string;
  /** Path prefixes forwarded as they are (`:id` segments allowed). */
  prefixes: readonly string[];
  /** Only these methods are forwarded (default: every method). */
  methods?: string[];
  /** How the 503 names the upstream when it cannot be reached ("the Jobs API (control app)"). */
  name: string;
}

/**
 * Serves another app's routes from this one: the path is kept and the Authorization header goes
 * through (the upstream checks it). When the upstream cannot be reached or does not answer, the
 * caller gets 503 with Retry-After, never a 500.
 */
export async function registerForwardedRoutes(app: NestFastifyApplication, routes: ForwardedRoutes): Promise<void> {
  await app.register(async (scope: FastifyInstance) => {
    // Bodies go through as bytes: the proxy brings its own parsers, so this scope drops the
    // JSON parser the platform added (http-app.ts) instead of clashing with it.
    scope.removeContentTypeParser('application/json');
    for (const prefix of routes.prefixes) {
      await scope.register(fastifyHttpProxy, {
        upstream: routes.upstream,
        prefix,
        rewritePrefix: prefix,
        ...(routes.methods ? { httpMethods: routes.methods } : {}),
        replyOptions: {
          rewriteRequestHeaders: (request, headers) => forwardedHeaders(request, headers),
          // reply-from would retry a GET answered 503 up to ten times, reading Retry-After as
          // milliseconds: a busy upstream must see one request per caller, and the caller its 503.
          retryDelay: () => null,
          onError: (reply, { error }) => upstreamUnavailable(reply, error, routes.name),
        },
      });
    }
  });
}

/**
 * The caller's address appended to X-Forwarded-For, so the upstream's per-address budgets (failed
 * authentications) see the caller, not this app; and this request's id, so both apps log one id.
 */
function forwardedHeaders(request: FastifyRequest<RouteGenericInterface, RawServerBase>, headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const forwardedFor = headers['x-forwarded-for'];
  const chain = [forwardedFor, request.ip].flat().filter((part): part is string => typeof part === 'string' && part !== '');
  return { ...headers, 'x-forwarded-for': chain.join(', '), 'x-request-id': request.id };
}

/** Any reply type: the proxy's replies are typed for HTTP/2 servers too. */
function upstreamUnavailable(reply: FastifyReply<RouteGenericInterface, RawServerBase>, error: Error, name: string): void {
  reply.log.warn({ err: error }, `${name} unreachable`);
  void reply
    .code(503)
    .header('retry-after', '5')
    .send({ statusCode: 503, error: 'Service Unavailable', message: `${name} cannot be reached; retry later` });
}
