import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyHttpOptions } from 'fastify';
import type { Server } from 'node:http';
import { fromFastifyError } from './fastify-errors';

type ErrorHandler = Parameters<FastifyAdapter['setErrorHandler']>[0];

/**
 * Nest routes Fastify's own errors (bad JSON, wrong content type, body too large, handler
 * deadline) through the handler set here; they are translated first, so clients get a
 * clear 4xx (or 503) instead of a bare message or a 500.
 */
export class HardenedFastifyAdapter extends FastifyAdapter {
  private readonly bodyLimitBytes: number;

  constructor(options: FastifyHttpOptions<Server> & { bodyLimit: number }) {
    super(options);
    this.bodyLimitBytes = options.bodyLimit;
  }

  override setErrorHandler(handler: ErrorHandler) {
    const bodyLimitBytes = this.bodyLimitBytes;
    return super.setErrorHandler(function (this: ThisParameterType<ErrorHandler>, error, request, reply) {
      return handler.call(this, fromFastifyError(error, bodyLimitBytes) as typeof error, request, reply);
    });
  }
}
