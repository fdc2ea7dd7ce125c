import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { registerForwardedRoutes } from '@runstream/http';

/**
 * The Jobs API routes the web app calls, forwarded to the control app so the browser stays on
 * one origin (no CORS, one token). When the control app cannot be reached or does not answer,
 * the caller gets 503 with Retry-After (docs/web.md), never a 500.
 */
export const CONTROL_PREFIXES = ['/api/v1/jobs', '/api/v1/projects/:id/jobs'];

export function registerControlProxy(app: NestFastifyApplication, controlUrl: string): Promise<void> {
  return registerForwardedRoutes(app, { upstream: controlUrl, prefixes: CONTROL_PREFIXES, name: 'the Jobs API (control app)' });
}
