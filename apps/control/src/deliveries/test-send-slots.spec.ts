import { HttpStatus } from '@nestjs/common';
import { RetryLaterException } from '@runstream/http';
import { TestSendOwner, TestSendSlots } from './test-send-slots';

/** A send that stays under way until `finish` is called. */
function heldSend(): { send: () => Promise<string>; finish: () => void } {
  let finish = () => undefined as void;
  const done = new Promise<string>((resolve) => (finish = () => resolve('sent')));
  return { send: () => done, finish };
}

const owner = (orgId: string, job: string): TestSendOwner => ({ orgId, jobKey: `${orgId}/proj/${job}` });

describe('TestSendSlots', () => {
  it('refuses a second test event to the same job with 429 while the first is under way, and takes it afterwards', async () => {
    const slots = new TestSendSlots(10);
    const first = heldSend();
    const running = slots.run(owner('org', 'job_1'), first.send);
    const refused = await slots.run(owner('org', 'job_1'), async () => 'never').catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(RetryLaterException);
    expect((refused as RetryLaterException).getStatus()).toBe(HttpStatus.TOO_MANY_REQUESTS);
    expect((refused as RetryLaterException).retryAfterSeconds).toBe(10);
    first.finish();
    await expect(running).resolves.toBe('sent');
    await expect(slots.run(owner('org', 'job_1'), async () => 'again')).resolves.toBe('again');
  });

  it('refuses with 503 past the instance bound, and frees the slot of a send that failed', async () => {
    const slots = new TestSendSlots(5, 2);
    const held = [heldSend(), heldSend()];
    const running = held.map((h, i) => slots.run(owner(`org_${i}`, `job_${i}`), h.send));
    const refused = await slots.run(owner('org_9', 'job_9'), async () => 'never').catch((caught: unknown) => caught);
    expect((refused as RetryLaterException).getStatus()).toBe(HttpStatus.SERVICE_UNAVAILABLE);
    for (const h of held) h.finish();
    await Promise.all(running);
    await expect(slots.run(owner('org_9', 'job_9'), () => Promise.reject(new Error('receiver down')))).rejects.toThrow('receiver down');
    await expect(slots.run(owner('org_9', 'job_9'), async () => 'taken')).resolves.toBe('taken');
  });

  it("refuses an organisation's third test event with 429 while others still get theirs", async () => {
    const slots = new TestSendSlots(5, 8, 2);
    const held = [heldSend(), heldSend()];
    const running = held.map((h, i) => slots.run(owner('org_a', `job_${i}`), h.send));
    const refused = await slots.run(owner('org_a', 'job_2'), async () => 'never').catch((caught: unknown) => caught);
    expect((refused as RetryLaterException).getStatus()).toBe(HttpStatus.TOO_MANY_REQUESTS);
    expect((refused as RetryLaterException).message).toContain('2 test events of this organisation');
    await expect(slots.run(owner('org_b', 'job_0'), async () => 'other org')).resolves.toBe('other org');
    held[0].finish();
    await running[0];
    await expect(slots.run(owner('org_a', 'job_2'), async () => 'taken')).resolves.toBe('taken');
    held[1].finish();
    await running[1];
  });
});
