import { readSse, retryAfterMs, SseEvent } from './run-stream';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

describe('readSse', () => {
  it('parses events split anywhere across chunks, skipping heartbeat comments', async () => {
    const events: SseEvent[] = [];
    await readSse(
      streamOf(['retry: 1000\n\n: heartbeat\n\nid: 0:1\nevent: lo', 'g\ndata: {"message":"one"}\n', '\nid: 0:2\nevent: end\ndata: {}\n\n']),
      (event) => events.push(event),
    );
    expect(events).toEqual([
      { id: '0:1', event: 'log', data: '{"message":"one"}' },
      { id: '0:2', event: 'end', data: '{}' },
    ]);
  });

  it('joins multi-line data and leaves an unfinished event out', async () => {
    const events: SseEvent[] = [];
    await readSse(streamOf(['event: run\ndata: a\ndata: b\n\nevent: log\ndata: cut off']), (event) => events.push(event));
    expect(events).toEqual([{ event: 'run', data: 'a\nb' }]);
  });

  it('tells every chunk, heartbeats included, so a silent connection can be told from a quiet one', async () => {
    let chunks = 0;
    await readSse(
      streamOf([': heartbeat\n\n', ': heartbeat\n\n', 'event: run\ndata: {}\n\n']),
      () => undefined,
      () => (chunks += 1),
    );
    expect(chunks).toBe(3);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds, caps a long wait, and leaves anything else to the caller', () => {
    expect(retryAfterMs('5')).toBe(5_000);
    expect(retryAfterMs('3600')).toBe(60_000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
