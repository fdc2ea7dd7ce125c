import { RetryLaterException } from '@runstream/http';
import { kubernetesUnavailable, publicKubernetesError } from './kubernetes.client';

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
    expect(unreachable.message).toBe('the Kubernetes API could not be reached; retry shortly');
  });

  it("tells a tenant the status and reason, the message only of a 422 about its job's manifest, never the service account or the API address", () => {
    const status = (code: number, reason: string, message: string) => ({
      code,
      body: JSON.stringify({ kind: 'Status', status: 'Failure', reason, message }),
      headers: { 'audit-id': 'a1b2' },
      message: `HTTP-Code: ${code} Message: ${message} Body: … Headers: {"audit-id":"a1b2"}`,
    });
    const forbidden = status(403, 'Forbidden', 'jobs.batch is forbidden: User "system:serviceaccount:runstream:runstream" cannot create resource "jobs"');
    expect(publicKubernetesError(forbidden)).toBe('the Kubernetes API answered 403 Forbidden');
    const invalid = status(422, 'Invalid', 'Job.batch "nightly-1" is invalid: spec.template.spec.containers[0].resources.limits: Invalid value');
    expect(publicKubernetesError(invalid)).toBe(
      'the Kubernetes API answered 422 Invalid: Job.batch "nightly-1" is invalid: spec.template.spec.containers[0].resources.limits: Invalid value',
    );
    expect(publicKubernetesError({ code: 500, body: 'not json' })).toBe('the Kubernetes API answered 500');
    expect(publicKubernetesError(new Error('connect ECONNREFUSED 10.96.0.1:443'))).toBe('the Kubernetes API could not be reached');
    expect(kubernetesUnavailable(forbidden).message).not.toContain('serviceaccount');
  });
});
