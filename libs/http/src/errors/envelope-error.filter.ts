import { Catch } from '@nestjs/common';
import { FilterReply, FilterRequest, HttpExceptionFilter } from './http-exception.filter';

/**
 * For routes whose answers are an envelope `{ code, data, message, requestId }` (the reference's
 * /v1/executions/stats): their errors carry the envelope's fields too (`code` = the HTTP status,
 * `data: null`, `requestId`) beside the usual `statusCode`, `error`, `message` and `errors`, so a
 * client that reads `code` reads it on every answer.
 */
@Catch()
export class EnvelopeErrorFilter extends HttpExceptionFilter {
  protected override replyFor(reply: FilterReply, request: FilterRequest): FilterReply {
    let status = 500;
    const enveloped: FilterReply = {
      get sent() {
        return reply.sent;
      },
      status(code) {
        status = code;
        reply.status(code);
        return enveloped;
      },
      header(name, value) {
        reply.header(name, value);
        return enveloped;
      },
      send(body) {
        reply.send({ code: status, data: null, ...(body as Record<string, unknown>), requestId: request.id });
        return enveloped;
      },
    };
    return enveloped;
  }
}
