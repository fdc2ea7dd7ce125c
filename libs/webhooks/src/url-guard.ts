import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { promisify } from 'node:util';
import ipaddr from 'ipaddr.js';

/**
 * SSRF guard for webhook URLs. Only addresses ipaddr.js classifies as global unicast pass:
 * loopback, link-local, private (RFC 1918, IPv6 unique-local), carrier-grade NAT, 0.0.0.0/8,
 * multicast, broadcast, reserved and documentation ranges, NAT64/6to4/Teredo and IPv4-compatible
 * forms (which embed an IPv4 address) and IPv4-mapped IPv6 (`::ffff:127.0.0.1`, read as the IPv4 it
 * maps) are refused.
 * The request then connects to the very addresses checked here (see `pinnedLookup`), so a DNS
 * answer that changes between check and connect (rebinding) cannot reach a refused address.
 */
export interface UrlGuardOptions {
  /** Let private and loopback addresses through (local development and tests only). */
  allowPrivate: boolean;
  /** Resolver; dns.lookup with all addresses by default. */
  resolve?: (host: string) => Promise<LookupAddress[]>;
  /** A host not resolved within this is `unresolved` (retried later); default DEFAULT_RESOLVE_TIMEOUT_MS. */
  resolveTimeoutMs?: number;
}

export const DEFAULT_RESOLVE_TIMEOUT_MS = 5_000;
/**
 * dns.lookup (getaddrinfo) holds a thread of libuv's pool, 4 by default and shared with file
 * reads, zlib and every other lookup, until the resolver gives up: a receiver's host whose DNS
 * never answers could hold them all. Webhook lookups take at most this many at once.
 */
const MAX_CONCURRENT_LOOKUPS = 2;

export interface CheckedUrl {
  url: URL;
  /** Every address the host resolved to, all of them allowed. */
  addresses: LookupAddress[];
}

export type UrlCheck =
  | { ok: true; target: CheckedUrl }
  /** refused: the URL or an address is not allowed (permanent); unresolved: DNS failed (may pass later). */
  | { ok: false; kind: 'refused' | 'unresolved'; reason: string };

const lookupAll = promisify(dnsLookup);

function resolveAll(host: string): Promise<LookupAddress[]> {
  return lookupAll(host, { all: true, verbatim: true });
}

let lookupsRunning = 0;
const lookupsWaiting = new Set<() => void>();

/** One host's lookup: `started` once it holds a slot. */
interface Lookup {
  answer: Promise<LookupAddress[]>;
  started: boolean;
}

/** Lookups under way or waiting, by host: checks of one host share one, so a host whose DNS hangs holds one slot, not all. */
const lookupsByHost = new Map<string, Lookup>();

function lookupError(code: 'ETIMEOUT' | 'EBUSY', message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** `run` once a slot is free (at most MAX_CONCURRENT_LOOKUPS at once); EBUSY if none came free within `startWithinMs`. */
function slottedLookup(run: () => Promise<LookupAddress[]>, startWithinMs: number): Lookup {
  const lookup = { started: false } as Lookup;
  lookup.answer = new Promise((done, fail) => {
    let giveUp: NodeJS.Timeout | undefined;
    const start = (): void => {
      clearTimeout(giveUp);
      lookupsWaiting.delete(start);
      lookup.started = true;
      lookupsRunning += 1;
      void run()
        .then(done, fail)
        .finally(() => {
          lookupsRunning -= 1;
          lookupsWaiting.values().next().value?.();
        });
    };
    if (lookupsRunning < MAX_CONCURRENT_LOOKUPS) return start();
    lookupsWaiting.add(start);
    giveUp = setTimeout(() => {
      lookupsWaiting.delete(start);
      fail(lookupError('EBUSY', `no DNS lookup slot came free within ${startWithinMs} ms`));
    }, startWithinMs);
  });
  return lookup;
}

/**
 * `resolve(host)` failing with ETIMEOUT when it has not answered within `timeoutMs`, or EBUSY
 * when it never got a slot (other hosts' lookups are slow). A lookup that times out keeps its
 * slot until it ends: its thread is still busy.
 */
function boundedLookup(resolve: (host: string) => Promise<LookupAddress[]>, host: string, timeoutMs: number): Promise<LookupAddress[]> {
  let lookup = lookupsByHost.get(host);
  if (!lookup) {
    const created = slottedLookup(() => resolve(host), timeoutMs);
    const forget = (): void => {
      if (lookupsByHost.get(host) === created) lookupsByHost.delete(host);
    };
    created.answer.then(forget, forget);
    lookupsByHost.set(host, created);
    lookup = created;
  }
  const shared = lookup;
  return new Promise((done, fail) => {
    const timer = setTimeout(
      () => fail(shared.started ? lookupError('ETIMEOUT', `no answer within ${timeoutMs} ms`) : lookupError('EBUSY', 'no DNS lookup slot came free')),
      timeoutMs,
    );
    shared.answer.then(done, fail).finally(() => clearTimeout(timer));
  });
}

/**
 * The ipaddr.js range of an address (`unicast` for a public one), IPv4-mapped IPv6 read as IPv4.
 * IPv4-compatible IPv6 (`::7f00:1`, the first 96 bits zero; deprecated) is `ipv4Compatible`: it
 * embeds an IPv4 address that some hosts' tunnels would reach.
 */
export function addressRange(address: string): string {
  const parsed = ipaddr.process(address.replace(/%.*$/, ''));
  const range = parsed.range();
  if (range === 'unicast' && parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0)) return 'ipv4Compatible';
  return range;
}

export function isPublicAddress(address: string): boolean {
  return ipaddr.isValid(address.replace(/%.*$/, '')) && addressRange(address) === 'unicast';
}

export async function checkWebhookUrl(raw: string, options: UrlGuardOptions): Promise<UrlCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, kind: 'refused', reason: 'not a URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, kind: 'refused', reason: `scheme ${url.protocol} is not http or https` };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: LookupAddress[];
  try {
    addresses = await boundedLookup(options.resolve ?? resolveAll, host, options.resolveTimeoutMs ?? DEFAULT_RESOLVE_TIMEOUT_MS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'EBUSY' ? `${host} not looked up yet: other hosts' DNS lookups held every slot` : `cannot resolve ${host}: ${code ?? String(error)}`;
    return { ok: false, kind: 'unresolved', reason };
  }
  if (addresses.length === 0) return { ok: false, kind: 'unresolved', reason: `cannot resolve ${host}: no address` };
  if (!options.allowPrivate) {
    const refused = addresses.find((entry) => !isPublicAddress(entry.address));
    if (refused) {
      const range = ipaddr.isValid(refused.address) ? addressRange(refused.address) : 'invalid';
      return { ok: false, kind: 'refused', reason: `${host} resolves to ${refused.address} (${range}), not a public address` };
    }
  }
  return { ok: true, target: { url, addresses } };
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * An http.request `lookup` hook answering with the checked addresses instead of asking DNS
 * again. Node calls it with `all: true` when it races IPv4 and IPv6 (autoSelectFamily).
 */
export function pinnedLookup(addresses: readonly LookupAddress[]) {
  return (_host: string, options: { all?: boolean }, callback: LookupCallback): void => {
    if (options.all) callback(null, [...addresses]);
    else callback(null, addresses[0].address, addresses[0].family);
  };
}
