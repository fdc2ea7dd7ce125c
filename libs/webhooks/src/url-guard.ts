import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { promisify } from 'node:util';
import ipaddr from 'ipaddr.js';

/**
 * SSRF guard for webhook URLs. Only addresses ipaddr.js classifies as global unicast pass:
 * loopback, link-local, private (RFC 1918, IPv6 unique-local), carrier-grade NAT, 0.0.0.0/8,
 * multicast, broadcast, reserved and documentation ranges, NAT64/6to4/Teredo forms (which embed
 * an IPv4 address) and IPv4-mapped IPv6 (`::ffff:127.0.0.1`, read as the IPv4 it maps) are refused.
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

/**
 * `resolve(host)` with at most MAX_CONCURRENT_LOOKUPS running, failing with ETIMEOUT when it has
 * not answered (or not started) within `timeoutMs`. A lookup that times out keeps its slot until
 * it ends: its thread is still busy.
 */
function boundedLookup(resolve: (host: string) => Promise<LookupAddress[]>, host: string, timeoutMs: number): Promise<LookupAddress[]> {
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      lookupsWaiting.delete(start);
      fail(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEOUT' }));
    }, timeoutMs);
    function start(): void {
      lookupsWaiting.delete(start);
      lookupsRunning += 1;
      resolve(host)
        .then(done, fail)
        .finally(() => {
          clearTimeout(timer);
          lookupsRunning -= 1;
          lookupsWaiting.values().next().value?.();
        });
    }
    if (lookupsRunning < MAX_CONCURRENT_LOOKUPS) start();
    else lookupsWaiting.add(start);
  });
}

/** The ipaddr.js range of an address (`unicast` for a public one), IPv4-mapped IPv6 read as IPv4. */
export function addressRange(address: string): string {
  return ipaddr.process(address.replace(/%.*$/, '')).range();
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
    return { ok: false, kind: 'unresolved', reason: `cannot resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
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
