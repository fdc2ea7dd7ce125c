import { loadEnv } from '@runstream/config';
import { liveJobStatus, rfc3339 } from './job-status';
import { KubernetesEnv, kubernetesConfig } from './kubernetes.env';

describe('liveJobStatus', () => {
  it.each([
    [{}, 'pending'],
    [{ active: 1 }, 'running'],
    [{ ready: 1 }, 'running'],
    [{ succeeded: 1 }, 'success'],
    [{ failed: 1 }, 'failed'],
    [{ active: 1, conditions: [{ type: 'Failed', status: 'True' }] }, 'failed'],
    [{ failed: 1, conditions: [{ type: 'Complete', status: 'True' }] }, 'success'],
    [{ conditions: [{ type: 'Complete', status: 'False' }] }, 'pending'],
    [{ conditions: [{ type: 'FailureTarget', status: 'True' }] }, 'failed'],
  ])('%j is %s', (status, expected) => {
    expect(liveJobStatus({ status })).toBe(expected);
  });

  it('prints times as RFC 3339 seconds in UTC', () => {
    expect(rfc3339(new Date('2026-04-28T02:00:00.123Z'))).toBe('2026-04-28T02:00:00Z');
    expect(rfc3339(undefined)).toBeNull();
  });
});

describe('KubernetesEnv', () => {
  it('is off by default and needs nothing else then', () => {
    const { kubernetes } = loadEnv({ kubernetes: KubernetesEnv }, {});
    expect(kubernetesConfig(kubernetes)).toMatchObject({ mode: 'off', namespacePrefix: 'runstream-', resyncMs: 30_000, concurrencyPolicy: 'Forbid' });
  });

  it('requires the ingest URL the pods report to once on, and names bad values', () => {
    expect(() => loadEnv({ kubernetes: KubernetesEnv }, { CONTROL_KUBERNETES: 'in-cluster' })).toThrow(/CONTROL_KUBERNETES_INGEST_URL/);
    expect(() => loadEnv({ kubernetes: KubernetesEnv }, { CONTROL_KUBERNETES: 'yes' })).toThrow(/CONTROL_KUBERNETES must be/);
    expect(() => loadEnv({ kubernetes: KubernetesEnv }, { CONTROL_KUBERNETES_NAMESPACE_PREFIX: 'Bad_' })).toThrow(/NAMESPACE_PREFIX/);
    const { kubernetes } = loadEnv(
      { kubernetes: KubernetesEnv },
      { CONTROL_KUBERNETES: 'kubeconfig', CONTROL_KUBECONFIG: '/k', CONTROL_KUBERNETES_INGEST_URL: 'http://ingest:3000', CONTROL_KUBERNETES_RESYNC_MS: '5000' },
    );
    expect(kubernetesConfig(kubernetes)).toMatchObject({ mode: 'kubeconfig', kubeconfigPath: '/k', ingestUrl: 'http://ingest:3000', resyncMs: 5000 });
  });
});
