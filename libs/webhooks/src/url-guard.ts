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
}

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
    addresses = await (options.resolve ?? resolveAll)(host);
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
