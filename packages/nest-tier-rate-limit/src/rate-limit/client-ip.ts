import type { IncomingMessage } from 'node:http';
import ipaddr from 'ipaddr.js';
import proxyAddr from 'proxy-addr';

/**
 * Which proxies are trusted to report the client address in `X-Forwarded-For`, with Express's
 * `trust proxy` semantics: `false` none (the socket address is the client), `true` all,
 * a number the hops to trust, or addresses/subnets (`'loopback'`, `'10.0.0.0/8'`, …).
 */
export type TrustProxy = boolean | number | string | string[];

/** A compiled {@link TrustProxy}: `undefined` when no proxy is trusted. */
export type ProxyTrust = ((address: string, hop: number) => boolean) | undefined;

const IPV4_MAPPED_PREFIX = '::ffff:';

/** Compiles a {@link TrustProxy} setting once, at start-up. */
export function compileTrustProxy(trust: TrustProxy): ProxyTrust {
  if (trust === false || trust === 0) return undefined;
  if (trust === true) return () => true;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  const list = typeof trust === 'string' ? trust.split(',').map((s) => s.trim()) : trust;
  return proxyAddr.compile(list);
}

/**
 * The client address of a raw request: the socket's peer, or with trusted proxies the nearest
 * untrusted address of `X-Forwarded-For` (never the header blindly).
 */
export function clientAddress(request: IncomingMessage, trust: ProxyTrust): string {
  if (trust === undefined) return request.socket.remoteAddress ?? 'unknown';
  return proxyAddr(request, trust);
}

/**
 * The identity an address counts under: IPv4-mapped IPv6 unwrapped to IPv4, and IPv6 grouped
 * by its `/prefix` (default 64) so that rotating addresses inside one allocation gains nothing.
 * @example addressIdentity('::ffff:10.0.0.1') // '10.0.0.1'
 * @example addressIdentity('2001:db8:1:2:aaaa::1') // '2001:db8:1:2::/64'
 */
export function addressIdentity(address: string, ipv6Prefix = 64): string {
  if (!address.includes(':')) return address;
  // The common case on a dual-stack listener, answered without parsing.
  if (
    address.startsWith(IPV4_MAPPED_PREFIX) &&
    ipaddr.IPv4.isValidFourPartDecimal(address.slice(7))
  ) {
    return address.slice(IPV4_MAPPED_PREFIX.length);
  }
  if (!ipaddr.IPv6.isValid(address)) return address;
  const ipv6 = ipaddr.IPv6.parse(address);
  if (ipv6.isIPv4MappedAddress()) return ipv6.toIPv4Address().toString();
  if (ipv6Prefix >= 128) return ipv6.toString();
  const parts = ipv6.parts.map((part, index) => maskPart(part, index, ipv6Prefix));
  return `${new ipaddr.IPv6(parts).toString()}/${ipv6Prefix}`;
}

function maskPart(part: number, index: number, prefix: number): number {
  const kept = Math.min(Math.max(prefix - index * 16, 0), 16);
  return kept === 0 ? 0 : part & (0xffff << (16 - kept)) & 0xffff;
}
