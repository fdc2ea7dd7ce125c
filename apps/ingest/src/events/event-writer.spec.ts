import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { RunEventEnvelope } from '@runstream/events';
import { MessageTooLargeError, PublisherOverloadedError, PublisherUnavailableError, PublishTimeoutError } from '@runstream/kafka';
import { RetryLaterError, WriteInDoubtError } from '../errors/write-outcome.errors';
import { runEvent } from '../runs/event-payloads';
import { EventWriter } from './event-writer';
import { RunEventLog } from './run-event-log';

const caller = { orgId: 'org_1', tokenId: 'tok_1', kind: 'user' as const, gateway: '' };

/** A stand-in for the Kafka log: these tests are about mapping its answers, not about Kafka. */
function writerWith(append: (events: RunEventEnvelope[]) => Promise<void>, maxEventBytes = 10_000) {
  const appended: RunEventEnvelope[] = [];
  const log = {
    append: async (events: RunEventEnvelope[]) => {
      await append(events);
      appended.push(...events);
    },
    maxEventBytes: () => maxEventBytes,
  } as unknown as RunEventLog;
  return { writer: new EventWriter(log), appended };
}

const patch = (message: string) => runEvent(caller, 'proj', 'run_1', 'run.patched', { append_log: { at: '2026-02-26T06:00:00.000Z', level: 'info', message } });

describe('EventWriter', () => {
  it('answers once the event is appended', async () => {
    const { writer, appended } = writerWith(async () => undefined);
    expect(await writer.write([patch('x')], {}, () => 'ok')).toBe('ok');
    expect(appended).toHaveLength(1);
  });

  it('refuses an event over the limit before appending, naming the largest field of the body', async () => {
    const { writer, appended } = writerWith(async () => undefined, 5_000);
    const body = { status: 'running', appendLog: { level: 'info', message: 'x'.repeat(6_000) } };
    const refused = writer.write([patch('x'.repeat(6_000))], body, () => 'ok');
    await expect(refused).rejects.toBeInstanceOf(PayloadTooLargeException);
    const answer = (await refused.catch((e: PayloadTooLargeException) => e.getResponse())) as { message: string; errors: { field: string }[] };
    expect(answer.errors[0].field).toBe('appendLog');
    expect(answer.message).toMatch(/^appendLog: the event this write makes is \d+ bytes; one event may be at most 5000/);
    expect(appended).toHaveLength(0);
  });

  it('maps MessageTooLargeError from the log to 413 as well', async () => {
    const { writer } = writerWith(async () => Promise.reject(new MessageTooLargeError(0, 9_000, 8_000)));
    await expect(writer.write([patch('x')], { logEntries: [] }, () => 'ok')).rejects.toBeInstanceOf(PayloadTooLargeException);
  });

  it('refuses an event the schema refuses with 400 naming the reason', async () => {
    const { writer, appended } = writerWith(async () => undefined);
    const bad = runEvent(caller, 'proj', 'run_1', 'run.patched', { started_at: '2026-W09' });
    const refused = writer.write([bad], {}, () => 'ok');
    await expect(refused).rejects.toBeInstanceOf(BadRequestException);
    await expect(refused).rejects.toMatchObject({ message: expect.stringContaining('payload.started_at') });
    expect(appended).toHaveLength(0);
  });

  it('turns a late acknowledgement into an in-doubt write that knows its answer if it lands', async () => {
    const landed = writerWith(async () => Promise.reject(new PublishTimeoutError(5_000, Promise.resolve(true))));
    const error = await landed.writer.write([patch('x')], {}, () => 'original').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteInDoubtError);
    expect(await (error as WriteInDoubtError).outcome).toEqual({ landed: true, answer: 'original' });
    const lost = writerWith(async () => Promise.reject(new PublishTimeoutError(5_000, Promise.resolve(false))));
    const lostError = (await lost.writer.write([patch('x')], {}, () => 'original').catch((e: unknown) => e)) as WriteInDoubtError;
    expect(await lostError.outcome).toEqual({ landed: false });
  });

  it('answers 503 with a retry time for a full or unreachable publisher, and for anything else', async () => {
    for (const error of [new PublisherOverloadedError(2, 1), new PublisherUnavailableError('broker down'), new Error('KafkaJSConnectionError')]) {
      const { writer } = writerWith(async () => Promise.reject(error));
      const refused = await writer.write([patch('x')], {}, () => 'ok').catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RetryLaterError);
      expect((refused as RetryLaterError).retryAfterSeconds).toBeGreaterThan(0);
    }
    const repeatable = writerWith(async () => Promise.reject(new PublishTimeoutError(5_000, Promise.resolve(true))));
    await expect(repeatable.writer.appendRepeatable([patch('x')], {})).rejects.toBeInstanceOf(RetryLaterError);
  });
});
