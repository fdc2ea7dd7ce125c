import { LookupAddress } from 'node:dns';
import { addressRange, checkWebhookUrl, isPublicAddress, pinnedLookup } from './url-guard';

const resolveTo =
  (...addresses: string[]) =>
  async (): Promise<LookupAddress[]> =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('webhook URL guard', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.255', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    // IPv4-mapped IPv6 is read as the IPv4 address it maps.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    // Forms that embed an IPv4 address behind a translator are refused too.
    ['64:ff9b::a00:1', 'rfc6052'],
    ['2002:a00:1::1', '6to4'],
    // IPv4-compatible IPv6 (deprecated), which a host's 6in4 tunnel would route to the IPv4 inside.
    ['::7f00:1', 'ipv4Compatible'],
    ['::a9fe:a9fe', 'ipv4Compatible'],
    ['::808:808', 'ipv4Compatible'],
  ])('refuses %s (%s)', async (address, range) => {
    expect(addressRange(address)).toBe(range);
    expect(isPublicAddress(address)).toBe(false);
    const check = await checkWebhookUrl('https://hooks.example.com/x', { allowPrivate: false, resolve: resolveTo(address) });
    expect(check).toMatchObject({ ok: false, kind: 'refused' });
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'lets the public address %s through',
    async (address) => {
      expect(isPublicAddress(address)).toBe(true);
      const check = await checkWebhookUrl('https://hooks.example.com/x', { allowPrivate: false, resolve: resolveTo(address) });
      expect(check).toMatchObject({ ok: true, target: { addresses: [{ address }] } });
    },
  );

  it('refuses a host when any one of its addresses is private', async () => {
    const check = await checkWebhookUrl('https://hooks.example.com/x', { allowPrivate: false, resolve: resolveTo('8.8.8.8', '10.0.0.5') });
    expect(check).toMatchObject({ ok: false, kind: 'refused', reason: expect.stringContaining('10.0.0.5 (private)') });
  });

  it('resolves literal addresses in every spelling the URL parser normalises', async () => {
    for (const url of ['http://127.0.0.1/', 'http://[::1]/', 'http://0177.0.0.1/', 'http://2130706433/', 'http://[::ffff:127.0.0.1]/', 'http://localhost/']) {
      expect(await checkWebhookUrl(url, { allowPrivate: false })).toMatchObject({ ok: false, kind: 'refused' });
    }
  });

  it('lets private addresses through when allowed', async () => {
    expect(await checkWebhookUrl('http://127.0.0.1:8080/hook', { allowPrivate: true })).toMatchObject({
      ok: true,
      target: { addresses: [{ address: '127.0.0.1', family: 4 }] },
    });
  });

  it('refuses schemes other than http and https, and text that is not a URL', async () => {
    for (const url of ['ftp://example.com/', 'file:///etc/passwd', 'gopher://example.com/', 'not a url']) {
      expect(await checkWebhookUrl(url, { allowPrivate: true })).toMatchObject({ ok: false, kind: 'refused' });
    }
  });

  it('reports a host that does not resolve as unresolved (it may later), not refused', async () => {
    const fail = async (): Promise<LookupAddress[]> => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    expect(await checkWebhookUrl('https://nowhere.invalid/', { allowPrivate: false, resolve: fail })).toMatchObject({
      ok: false,
      kind: 'unresolved',
      reason: expect.stringContaining('ENOTFOUND'),
    });
  });

  it('answers the connection lookup with the checked addresses only', () => {
    const lookup = pinnedLookup([{ address: '93.184.215.14', family: 4 }]);
    const calls: unknown[][] = [];
    lookup('rebinding.example', { all: true }, (...args) => calls.push(args));
    lookup('rebinding.example', {}, (...args) => calls.push(args));
    expect(calls).toEqual([
      [null, [{ address: '93.184.215.14', family: 4 }]],
      [null, '93.184.215.14', 4],
    ]);
  });

  it('gives a host whose DNS does not answer up as unresolved (retried later) after resolveTimeoutMs, not the attempt', async () => {
    const slow = () => new Promise<LookupAddress[]>((resolve) => setTimeout(() => resolve([{ address: '8.8.8.8', family: 4 }]), 300));
    const check = await checkWebhookUrl('https://slow.example.com/x', { allowPrivate: false, resolve: slow, resolveTimeoutMs: 50 });
    expect(check).toEqual({ ok: false, kind: 'unresolved', reason: 'cannot resolve slow.example.com: ETIMEOUT' });
    // The lookup above still holds its slot until it answers.
    await new Promise((resolve) => setTimeout(resolve, 300));
  });

  it("runs at most two lookups at once (they hold threads of libuv's small pool); the rest wait their turn", async () => {
    let running = 0;
    let most = 0;
    const counted = async (): Promise<LookupAddress[]> => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 50));
      running -= 1;
      return [{ address: '8.8.8.8', family: 4 }];
    };
    const checks = await Promise.all(
      Array.from({ length: 5 }, (_, i) => checkWebhookUrl(`https://h${i}.example.com/x`, { allowPrivate: false, resolve: counted, resolveTimeoutMs: 2_000 })),
    );
    expect(checks.every((check) => check.ok)).toBe(true);
    expect(most).toBe(2);
  });

  it('shares one lookup among concurrent checks of one host, so a host whose DNS hangs holds one slot', async () => {
    let calls = 0;
    const counted = async (): Promise<LookupAddress[]> => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
      return [{ address: '8.8.8.8', family: 4 }];
    };
    const checks = await Promise.all(
      Array.from({ length: 4 }, () => checkWebhookUrl('https://same.example.com/x', { allowPrivate: false, resolve: counted, resolveTimeoutMs: 2_000 })),
    );
    expect(checks.every((check) => check.ok)).toBe(true);
    expect(calls).toBe(1);
  });

  it('does not blame a host that waited for a slot behind other hosts whose DNS hangs', async () => {
    const hang = () => new Promise<LookupAddress[]>((resolve) => setTimeout(() => resolve([{ address: '8.8.8.8', family: 4 }]), 400));
    const hung = ['a', 'b'].map((host) => checkWebhookUrl(`https://${host}.hang.example.com/x`, { allowPrivate: false, resolve: hang, resolveTimeoutMs: 100 }));
    const victim = await checkWebhookUrl('https://victim.example.com/x', { allowPrivate: false, resolve: resolveTo('8.8.8.8'), resolveTimeoutMs: 100 });
    expect(victim).toEqual({ ok: false, kind: 'unresolved', reason: "victim.example.com not looked up yet: other hosts' DNS lookups held every slot" });
    expect(await Promise.all(hung)).toEqual([
      { ok: false, kind: 'unresolved', reason: 'cannot resolve a.hang.example.com: ETIMEOUT' },
      { ok: false, kind: 'unresolved', reason: 'cannot resolve b.hang.example.com: ETIMEOUT' },
    ]);
    // The hung lookups still hold their slots until they answer.
    await new Promise((resolve) => setTimeout(resolve, 400));
  });
});
