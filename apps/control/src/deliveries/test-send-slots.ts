import { serviceUnavailable, tooManyRequests } from '@runstream/http';

/** Test events this control instance sends at once, over all jobs: each holds a socket to a caller-chosen URL for up to the webhook timeout. */
export const MAX_CONCURRENT_TEST_SENDS = 8;
/** Of those, one organisation's at most, so one organisation's jobs cannot hold every slot. */
export const MAX_CONCURRENT_TEST_SENDS_PER_ORG = 2;

/** Whose test event it is: the organisation bounds its share, the job key its one send at a time. */
export interface TestSendOwner {
  orgId: string;
  jobKey: string;
}

/**
 * Bounds the test events in flight: one per job (a second click waits for the first answer),
 * MAX_CONCURRENT_TEST_SENDS_PER_ORG per organisation and MAX_CONCURRENT_TEST_SENDS per instance,
 * so a token cannot turn the control app into a fan of outbound requests nor crowd out other
 * organisations. Refused at once (429 / 503 with Retry-After), never queued.
 */
export class TestSendSlots {
  private readonly busyJobs = new Set<string>();
  private readonly busyPerOrg = new Map<string, number>();

  constructor(
    private readonly retryAfterSeconds: number,
    private readonly max = MAX_CONCURRENT_TEST_SENDS,
    private readonly maxPerOrg = MAX_CONCURRENT_TEST_SENDS_PER_ORG,
  ) {}

  async run<T>({ orgId, jobKey }: TestSendOwner, send: () => Promise<T>): Promise<T> {
    if (this.busyJobs.has(jobKey))
      throw tooManyRequests('a test event to this job is still under way; retry when it has been answered', this.retryAfterSeconds);
    const orgBusy = this.busyPerOrg.get(orgId) ?? 0;
    if (orgBusy >= this.maxPerOrg)
      throw tooManyRequests(`${this.maxPerOrg} test events of this organisation are under way; retry when one has been answered`, this.retryAfterSeconds);
    if (this.busyJobs.size >= this.max) throw serviceUnavailable(`${this.max} test events are under way; retry shortly`, this.retryAfterSeconds);
    this.busyJobs.add(jobKey);
    this.busyPerOrg.set(orgId, orgBusy + 1);
    try {
      return await send();
    } finally {
      this.busyJobs.delete(jobKey);
      const left = (this.busyPerOrg.get(orgId) ?? 1) - 1;
      if (left === 0) this.busyPerOrg.delete(orgId);
      else this.busyPerOrg.set(orgId, left);
    }
  }
}
