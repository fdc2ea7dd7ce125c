import type { FastifyInstance } from 'fastify';
import { AppMetrics } from './app-metrics';

/**
 * Times every request by its route pattern (`/api/v1/projects/:projectId/runs`, never the raw
 * URL, so series stay few; `unmatched` for 404s outside any route) and serves GET /metrics.
 * /metrics is a plain Fastify route: no token, no rate limit, so keep it off public ingress.
 */
export function instrumentHttp(fastify: FastifyInstance, metrics: AppMetrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route !== '/metrics') metrics.request(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  fastify.get('/metrics', async (_request, reply) => {
    const { status, headers, body } = await metrics.answer();
    return reply.code(status).headers(headers).send(body);
  });
}
