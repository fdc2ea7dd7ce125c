import { cronJobNameFor, dnsLabel, kubernetesJobNameFor, labelValue, namespaceFor } from './kubernetes-names';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('kubernetes names', () => {
  it('keeps a name that is already a DNS-1123 label', () => {
    expect(dnsLabel('analytics-nightly')).toBe('analytics-nightly');
    expect(namespaceFor('runstream-', 'acme')).toBe('runstream-acme');
  });

  it('cleans and hashes anything else, so distinct inputs stay distinct', () => {
    const a = cronJobNameFor('proj_a', 'Nightly Refresh');
    const b = cronJobNameFor('proj-a', 'nightly-refresh');
    expect(a).toMatch(/^proj-a-nightly-refresh-[0-9a-f]{8}$/);
    expect(b).toBe('proj-a-nightly-refresh');
    expect(a).not.toBe(b);
  });

  it('cuts CronJob names to 52 characters with a hash suffix, stable across calls', () => {
    const long = cronJobNameFor('analytics-warehouse-production', 'refresh-every-model-in-the-warehouse-nightly');
    expect(long.length).toBeLessThanOrEqual(52);
    expect(long).toMatch(DNS_LABEL);
    expect(long).toMatch(/-[0-9a-f]{8}$/);
    expect(cronJobNameFor('analytics-warehouse-production', 'refresh-every-model-in-the-warehouse-nightly')).toBe(long);
    expect(cronJobNameFor('analytics-warehouse-production', 'refresh-every-model-in-the-warehouse-nightlx')).not.toBe(long);
  });

  it('never yields an empty or invalid label, even from punctuation only', () => {
    for (const raw of ['___', '-', ':::', 'A'.repeat(300), 'x.y.z', '--a--']) {
      expect(dnsLabel(raw)).toMatch(DNS_LABEL);
      expect(dnsLabel(raw).length).toBeLessThanOrEqual(63);
      expect(kubernetesJobNameFor(raw)).toMatch(DNS_LABEL);
    }
  });

  it('keeps valid label values (upper case and _ allowed) and hashes invalid ones', () => {
    expect(labelValue('proj_XYZ.1')).toBe('proj_XYZ.1');
    expect(labelValue('org:acme')).toMatch(/^org-acme-[0-9a-f]{8}$/);
    expect(labelValue('x'.repeat(64)).length).toBeLessThanOrEqual(63);
    expect(labelValue('_a_')).toMatch(/^a-[0-9a-f]{8}$/);
  });
});
