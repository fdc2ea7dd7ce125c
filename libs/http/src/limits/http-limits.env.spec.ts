import { DEFAULT_TRUST_PROXY, trustProxyOf } from './http-limits.env';

describe('trustProxyOf (HTTP_TRUST_PROXY)', () => {
  it('reads true, false, a hop count, and lists of addresses, CIDRs and proxy-addr names', () => {
    expect(trustProxyOf('true')).toBe(true);
    expect(trustProxyOf('false')).toBe(false);
    expect(trustProxyOf('2')).toBe(2);
    expect(trustProxyOf(DEFAULT_TRUST_PROXY)).toEqual(['loopback', 'linklocal', 'uniquelocal']);
    expect(trustProxyOf('10.0.0.0/8, 192.168.1.7,fd00::/8')).toEqual(['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
  });

  it('fails naming the variable for an entry that is no address, CIDR or name', () => {
    for (const bad of ['10.0.0.0/33', 'proxy.example.com', '10.0.0.1/8/2', 'fd00::/129', 'internal']) {
      expect(() => trustProxyOf(bad)).toThrow(/^HTTP_TRUST_PROXY: /);
    }
  });
});
