import { badRequest } from '@runstream/http';

/**
 * Where a live run stream stands: the run row's log offset last sent, and per ring (log,
 * samples) the generation and the last seq sent. Every event's SSE id is the cursor after it,
 * so a reconnect's Last-Event-ID says exactly what the client already has.
 */
export interface StreamCursor {
  runOffset: bigint;
  logGeneration: number;
  logSeq: number;
  sampleGeneration: number;
  sampleSeq: number;
}

export const STREAM_START: StreamCursor = { runOffset: -1n, logGeneration: -1, logSeq: -1, sampleGeneration: -1, sampleSeq: -1 };

const CURSOR = /^(-1|\d{1,20})_(-1|\d{1,10})_(-1|\d{1,10})_(-1|\d{1,10})_(-1|\d{1,10})$/;

export function formatStreamCursor(c: StreamCursor): string {
  return [c.runOffset, c.logGeneration, c.logSeq, c.sampleGeneration, c.sampleSeq].join('_');
}

/** The cursor a Last-Event-ID names; none: from the start. Anything else is a 400 naming the header. */
export function parseStreamCursor(lastEventId: string | undefined): StreamCursor {
  if (lastEventId === undefined || lastEventId === '') return STREAM_START;
  const match = CURSOR.exec(lastEventId);
  if (!match) throw badRequest('Last-Event-ID', 'must be the id of an event this stream sent (five numbers joined by _)');
  const [, runOffset, logGeneration, logSeq, sampleGeneration, sampleSeq] = match;
  return {
    runOffset: BigInt(runOffset),
    logGeneration: Number(logGeneration),
    logSeq: Number(logSeq),
    sampleGeneration: Number(sampleGeneration),
    sampleSeq: Number(sampleSeq),
  };
}
