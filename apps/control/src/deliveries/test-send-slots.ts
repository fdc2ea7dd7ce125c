import { serviceUnavailable, tooManyRequests } from '@runstream/http';

/** Test events this control instance sends at once, over all jobs: each holds a socket to a caller-chosen URL for up to the webhook timeout. */
export const MAX_CONCURRENT_TEST_SENDS = 8;

/**
 * Bounds the test events in flight: one per job (a second click waits for the first answer)
 * and MAX_CONCURRENT_TEST_SENDS per instance, so a token cannot turn the control app into a
 * fan of outbound requests. Refused at once (429 / 503 with Retry-After), never queued.
 */
export class TestSendSlots {
  private readonly busyJobs = new Set<string>();

  constructor(
    private readonly retryAfterSeconds: number,
    private readonly max = MAX_CONCURRENT_TEST_SENDS,
  ) {}

  async run<T>(jobKey: string, send: () => Promise<T>): Promise<T> {
    if (this.busyJobs.has(jobKey))
      throw tooManyRequests('a test event to this job is still under way; retry when it has been answered', this.retryAfterSeconds);
    if (this.busyJobs.size >= this.max) throw serviceUnavailable(`${this.max} test events are under way; retry shortly`, this.retryAfterSeconds);
    this.busyJobs.add(jobKey);
    try {
      return await send();
    } finally {
      this.busyJobs.delete(jobKey);
    }
  }
}
