import { Controller, Get, Headers, NotAcceptableException, Param, Res } from '@nestjs/common';
import { ApiHeader, ApiProduces } from '@nestjs/swagger';
import { bearerToken, Caller, CurrentCaller } from '@runstream/http';
import { FastifyReply } from 'fastify';
import { RunIdParams } from '../runs/dto/run-id.params';
import { RunStreams } from './run-streams.service';
import { parseStreamCursor } from './stream-cursor';

/** GET /api/v1/runs/:runId/stream: a run's status, log lines and samples as Server-Sent Events (docs/change-feed.md#live-run-stream). */
@Controller('api/v1/runs/:runId/stream')
export class RunStreamController {
  constructor(private readonly streams: RunStreams) {}

  @Get()
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event (the id of the last event received)' })
  async stream(
    @Param() { runId }: RunIdParams,
    @Headers('accept') accept: string | undefined,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @CurrentCaller() caller: Caller,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // A client that did not ask for a stream would wait on it forever: it gets 406 instead.
    if (!accept?.toLowerCase().includes('text/event-stream')) {
      throw new NotAcceptableException({
        statusCode: 406,
        error: 'Not Acceptable',
        message: 'accept: this route answers text/event-stream only; send Accept: text/event-stream',
      });
    }
    // Refusals (400, 404, 429) are ordinary answers; only an admitted stream takes over the response.
    // The guard let the caller in on this token; the stream checks it again while open.
    const token = bearerToken(authorization) ?? '';
    const admitted = await this.streams.admit(caller, token, runId, parseStreamCursor(lastEventId));
    reply.hijack();
    admitted.attach(reply.raw);
  }
}
