import { chunkEntries, Entry, PublishCall, SendQueue } from './publish-queue';
import { batchRecordBudget, maxPayloadBytes, RECORD_OVERHEAD, recordBytes } from './record-size';

function entries(partitions: number[], bytes = 100): Entry[] {
  return partitions.map((partition, index) => ({ message: { key: `k${index}`, value: Buffer.alloc(1), partition }, bytes, index }));
}

const call = () =>
  new PublishCall(
    0,
    () => undefined,
    () => undefined,
  );

describe('chunkEntries', () => {
  it('splits by partition, then by bytes and count, keeping order', () => {
    const chunks = chunkEntries(call(), 't', entries([0, 1, 0, 0, 0, 1]), 250, 10);
    expect(chunks.map((chunk) => [chunk.partition, chunk.entries.map((entry) => entry.index)])).toEqual([
      [0, [0, 2]],
      [1, [1, 5]],
      [0, [3, 4]],
    ]);
    expect(chunkEntries(call(), 't', entries([0, 0, 0]), 1000, 2).map((chunk) => chunk.entries.length)).toEqual([2, 1]);
  });
});

describe('SendQueue.takeRound', () => {
  it('takes one send per partition, each within the byte budget and message cap', () => {
    const queue = new SendQueue();
    for (let i = 0; i < 5; i += 1) for (const chunk of chunkEntries(call(), 't', entries([0, 1]), 1000, 10)) queue.push(chunk);
    const round = queue.takeRound(() => 250, 10);
    expect(round.map((send) => [send.partition, send.chunks.length])).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(queue.takeRound(() => 10_000, 2).map((send) => send.chunks.length)).toEqual([2, 2]);
    expect(queue.takeRound(() => 10_000, 10).map((send) => send.chunks.length)).toEqual([1, 1]);
    expect(queue.isEmpty).toBe(true);
  });

  it('sends a solo chunk alone and puts requeued chunks back first', () => {
    const queue = new SendQueue();
    const [a, b, c] = [0, 1, 2].map(() => chunkEntries(call(), 't', entries([0]), 1000, 10)[0]);
    queue.push(c);
    queue.requeue([{ ...a, solo: true }, b]);
    expect(queue.takeRound(() => 10_000, 10)[0].chunks).toEqual([{ ...a, solo: true }]);
    expect(queue.takeRound(() => 10_000, 10)[0].chunks).toEqual([b, c]);
  });

  it('resends a pinned send unchanged, before anything else of its partition', () => {
    const queue = new SendQueue();
    for (const chunk of chunkEntries(call(), 't', entries([0, 1]), 1000, 10)) queue.push(chunk);
    const [first] = queue.takeRound(() => 10_000, 10).filter((send) => send.partition === 0);
    for (const chunk of chunkEntries(call(), 't', entries([0, 0, 1]), 1000, 10)) queue.push(chunk);
    queue.pin(first);
    const round = queue.takeRound(() => 10_000, 10);
    expect(round.find((send) => send.partition === 0)).toBe(first);
    expect(round.find((send) => send.partition === 1)?.chunks).toHaveLength(1);
    expect(queue.takeRound(() => 10_000, 10).map((send) => [send.partition, send.chunks[0].entries.length])).toEqual([[0, 2]]);
    queue.pin(first);
    expect(queue.isEmpty).toBe(false);
    expect(queue.unpin((send) => send.partition === 0)).toEqual([first]);
    expect(queue.isEmpty).toBe(true);
  });

  it('removes every queued chunk of a call', () => {
    const queue = new SendQueue();
    const gone = call();
    for (const chunk of chunkEntries(gone, 't', entries([0, 1]), 1000, 10)) queue.push(chunk);
    for (const chunk of chunkEntries(call(), 't', entries([1]), 1000, 10)) queue.push(chunk);
    expect(queue.remove(gone)).toHaveLength(2);
    expect(queue.takeRound(() => 10_000, 10).map((send) => send.partition)).toEqual([1]);
    expect(queue.isEmpty).toBe(true);
  });
});

describe('PublishCall', () => {
  it('reports landed=false at once when it expires unsent, and the real outcome when it expires in flight', async () => {
    const errors: Error[] = [];
    const unsent = new PublishCall(
      0,
      () => undefined,
      (error) => errors.push(error),
    );
    unsent.expire(100, true);
    const inFlight = new PublishCall(
      0,
      () => undefined,
      (error) => errors.push(error),
    );
    inFlight.chunksLeft = 2;
    inFlight.expire(100, false);
    inFlight.chunkAcknowledged();
    inFlight.chunkAcknowledged();
    const failed = new PublishCall(
      0,
      () => undefined,
      (error) => errors.push(error),
    );
    failed.expire(100, false);
    failed.fail(new Error('send failed'));
    const landed = await Promise.all(errors.map((error) => (error as Error & { landed: Promise<boolean> }).landed));
    expect(landed).toEqual([false, true, false]);
  });
});

describe('record sizes', () => {
  it('bounds a message by key, value, headers and framing, and keeps room for the batch header', () => {
    expect(recordBytes({ key: 'ab', value: Buffer.alloc(10), headers: { h: 'v' } })).toBe(RECORD_OVERHEAD + 2 + 10 + 10 + 2);
    expect(maxPayloadBytes(1_048_588)).toBe(batchRecordBudget(1_048_588) - RECORD_OVERHEAD);
    expect(batchRecordBudget(1_048_588)).toBeLessThan(1_048_588 - 61);
  });
});
