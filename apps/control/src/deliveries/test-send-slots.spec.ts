import { HttpStatus } from '@nestjs/common';
import { RetryLaterException } from '@runstream/http';
import { TestSendSlots } from './test-send-slots';

/** A send that stays under way until `finish` is called. */
function heldSend(): { send: () => Promise<string>; finish: () => void } {
  let finish = () => undefined as void;
  const done = new Promise<string>((resolve) => (finish = () => resolve('sent')));
  return { send: () => done, finish };
}

describe('TestSendSlots', () => {
  it('refuses a second test event to the same job with 429 while the first is under way, and takes it afterwards', async () => {
    const slots = new TestSendSlots(10);
    const first = heldSend();
    const running = slots.run('org/proj/job_1', first.send);
    const refused = await slots.run('org/proj/job_1', async () => 'never').catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(RetryLaterException);
    expect((refused as RetryLaterException).getStatus()).toBe(HttpStatus.TOO_MANY_REQUESTS);
    expect((refused as RetryLaterException).retryAfterSeconds).toBe(10);
    first.finish();
    await expect(running).resolves.toBe('sent');
    await expect(slots.run('org/proj/job_1', async () => 'again')).resolves.toBe('again');
  });

  it('refuses with 503 past the instance bound, and frees the slot of a send that failed', async () => {
    const slots = new TestSendSlots(5, 2);
    const held = [heldSend(), heldSend()];
    const running = held.map((h, i) => slots.run(`org/proj/job_${i}`, h.send));
    const refused = await slots.run('org/proj/job_9', async () => 'never').catch((caught: unknown) => caught);
    expect((refused as RetryLaterException).getStatus()).toBe(HttpStatus.SERVICE_UNAVAILABLE);
    for (const h of held) h.finish();
    await Promise.all(running);
    await expect(slots.run('org/proj/job_9', () => Promise.reject(new Error('receiver down')))).rejects.toThrow('receiver down');
    await expect(slots.run('org/proj/job_9', async () => 'taken')).resolves.toBe('taken');
  });
});
