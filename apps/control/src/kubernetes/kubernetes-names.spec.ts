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
    expect(b).toMatch(/^proj-a-nightly-refresh-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect(cronJobNameFor('analytics', 'nightly-refresh')).toBe('analytics-nightly-refresh');
  });

  it('never gives two project and job pairs one CronJob name, however their dashes fall', () => {
    const pairs = [
      ['sales', 'eu-nightly'],
      ['sales-eu', 'nightly'],
      ['sales_eu', 'nightly'],
      ['sales', 'eu_nightly'],
      ['a-b', 'c-d'],
      ['a', 'b-c-d'],
      ['a-b-c', 'd'],
    ];
    const names = pairs.map(([project, job]) => cronJobNameFor(project, job));
    expect(new Set(names).size).toBe(pairs.length);
    for (const name of names) expect(name).toMatch(DNS_LABEL);
  });

  it('names two runs of one job triggered in the same second apart', () => {
    const first = kubernetesJobNameFor('proj-nightly-20260428-120000', 'run_019d0000000070008000000000000001');
    const second = kubernetesJobNameFor('proj-nightly-20260428-120000', 'run_019d0000000070008000000000000002');
    expect(first).toMatch(/^proj-nightly-20260428-120000-[0-9a-f]{8}$/);
    expect(second).not.toBe(first);
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
      expect(kubernetesJobNameFor(raw, 'run_1')).toMatch(DNS_LABEL);
    }
  });

  it('keeps valid label values (upper case and _ allowed) and hashes invalid ones', () => {
    expect(labelValue('proj_XYZ.1')).toBe('proj_XYZ.1');
    expect(labelValue('org:acme')).toMatch(/^org-acme-[0-9a-f]{8}$/);
    expect(labelValue('x'.repeat(64)).length).toBeLessThanOrEqual(63);
    expect(labelValue('_a_')).toMatch(/^a-[0-9a-f]{8}$/);
  });
});
