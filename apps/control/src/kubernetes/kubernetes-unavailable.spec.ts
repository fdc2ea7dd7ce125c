import { RetryLaterException } from '@runstream/http';
import { kubernetesUnavailable } from './kubernetes.client';

describe('kubernetesUnavailable', () => {
  it("answers a throttled, failing or unreachable API server 503 with Retry-After, the server's own on a 429", () => {
    const throttled = kubernetesUnavailable({ code: 429, headers: { 'retry-after': '7' } });
    expect(throttled).toBeInstanceOf(RetryLaterException);
    expect(throttled.getStatus()).toBe(503);
    expect(throttled.retryAfterSeconds).toBe(7);
    expect(throttled.message).toContain('answered 429');
    expect(kubernetesUnavailable({ code: 500 }).retryAfterSeconds).toBe(5);
    expect(kubernetesUnavailable({ code: 403, headers: { 'retry-after': 'soon' } }).retryAfterSeconds).toBe(5);
    const unreachable = kubernetesUnavailable(new Error('connect ECONNREFUSED 10.0.0.1:6443'));
    expect(unreachable.getStatus()).toBe(503);
    expect(unreachable.message).toContain('could not be reached (connect ECONNREFUSED 10.0.0.1:6443)');
  });
});
