import ipaddr from 'ipaddr.js';
import { addressIdentity, type RateLimitCallerKind } from '../../rate-limit/index.js';

/** Longest user id accepted after `user:`: longer ones are hashed in keys all the same. */
export const MAX_CALLER_USER_ID = 1024;

/** Whose counters: the kind and id of the key `ratelimit:{kind:id}:…`. */
export interface CounterOwner {
  kind: RateLimitCallerKind;
  /** A user's id, or an address's identity (IPv6 grouped by subnet). */
  id: string;
}

const SYNTAX = 'caller must be user:<id> or ip:<address>';

/**
 * Why `value` names no counter owner, or `undefined`: `user:<id>` (the id the caller resolver
 * reads, 1–1024 characters) or `ip:<address>` (IPv4, IPv6, or an IPv6 subnet as keys spell it,
 * `2001:db8::/64`). Given the module's `ipv6Subnet`, a subnet must have that prefix length.
 * @example callerIdProblem('ip:10.0.0.256') // 'caller must be user:<id> or ip:<address>, …'
 */
export function callerIdProblem(value: string, ipv6Subnet?: number): string | undefined {
  if (value.startsWith('user:')) {
    const id = value.slice('user:'.length);
    if (id.length >= 1 && id.length <= MAX_CALLER_USER_ID) return undefined;
    return `${SYNTAX}: a user id of 1 to ${MAX_CALLER_USER_ID} characters`;
  }
  if (!value.startsWith('ip:')) return SYNTAX;
  const address = value.slice('ip:'.length);
  if (ipaddr.IPv4.isValidFourPartDecimal(address) || ipaddr.IPv6.isValid(address)) return undefined;
  if (!ipaddr.IPv6.isValidCIDR(address))
    return `${SYNTAX}: "${address}" is no IPv4 or IPv6 address`;
  const [, prefix] = ipaddr.IPv6.parseCIDR(address);
  if (ipv6Subnet === undefined || prefix === ipv6Subnet) return undefined;
  return `caller groups IPv6 by /${prefix}, the limiter by /${ipv6Subnet}: give an address or a /${ipv6Subnet}`;
}

/**
 * The owner `value` names, its id as the guard builds it (an address as `addressIdentity`
 * groups it). `value` must pass {@link callerIdProblem}.
 * @example parseCallerId('ip:2001:db8:1:2:aaaa::1', 64) // { kind: 'ip', id: '2001:db8:1:2::/64' }
 */
export function parseCallerId(value: string, ipv6Subnet: number): CounterOwner {
  if (value.startsWith('user:')) return { kind: 'user', id: value.slice('user:'.length) };
  const address = value.slice('ip:'.length);
  const bare = ipaddr.IPv6.isValidCIDR(address)
    ? ipaddr.IPv6.parseCIDR(address)[0].toString()
    : address;
  return { kind: 'ip', id: addressIdentity(bare, ipv6Subnet) };
}
