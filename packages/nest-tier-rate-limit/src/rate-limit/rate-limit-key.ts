import { createHash } from 'node:crypto';

/**
 * Longest caller or path kept verbatim in a key; longer ones keep a readable head and a hash of
 * the whole, so keys stay bounded whatever a URL, header or token holds.
 */
export const MAX_KEY_PART_LENGTH = 128;
/** A SHA-256 in base64url is 43 characters; one more for the `~` separator. */
const HEAD_LENGTH = MAX_KEY_PART_LENGTH - 44;

/**
 * Where a caller's id comes from: `user` for an id from the caller resolver (`request.user`),
 * `ip` for an anonymous caller's tracker (its client address by default). The kind is part of
 * the key, so a user id shaped like an address never shares the counter of that address.
 */
export type RateLimitCallerKind = 'user' | 'ip';

/**
 * The counter key of a caller on a path: `{prefix}:{{kind}:{caller}}:{path}`, the caller and path
 * each at most {@link MAX_KEY_PART_LENGTH} characters, the whole well-formed Unicode. The braces
 * are a Redis hash tag: every key of one caller lives in one slot of a Redis Cluster, so that the
 * several limits of one request are counted by one script.
 *
 * Distinct (kind, caller, path) triples always get distinct keys. A part is kept verbatim only
 * when it is short, well-formed, does not look like a hashed part and, for the path, holds no `:`
 * (so the last `:` of a key always separates caller from path, whatever `:` or `}` a caller
 * holds). Any other part becomes a readable head, `~` and the SHA-256 of the whole, exactly
 * {@link MAX_KEY_PART_LENGTH} characters.
 * @example buildRateLimitKey('ratelimit', 'user', '42', 'api_v1_widgets') // 'ratelimit:{user:42}:api_v1_widgets'
 * @example buildRateLimitKey('ratelimit', 'ip', '2001:db8::/64', 'x') // 'ratelimit:{ip:2001:db8::/64}:x'
 */
export function buildRateLimitKey(
  prefix: string,
  kind: RateLimitCallerKind,
  caller: string,
  path: string,
): string {
  return `${prefix}:{${kind}:${callerPart(caller)}}:${pathPart(path)}`;
}

/**
 * {@link buildRateLimitKey} for one prefix, remembering the last path's part: requests to one
 * route in a row check and escape its path once, not once each.
 */
export class RateLimitKeyBuilder {
  private readonly heads: Readonly<Record<RateLimitCallerKind, string>>;
  private lastPath = '';
  private lastPathPart = '';

  constructor(prefix: string) {
    this.heads = { user: `${prefix}:{user:`, ip: `${prefix}:{ip:` };
  }

  /** The key of `caller` (of `kind`) on `path`, exactly as {@link buildRateLimitKey} has it. */
  build(kind: RateLimitCallerKind, caller: string, path: string): string {
    if (path !== this.lastPath) {
      this.lastPathPart = pathPart(path);
      this.lastPath = path;
    }
    return `${this.heads[kind]}${callerPart(caller)}}:${this.lastPathPart}`;
  }
}

function callerPart(caller: string): string {
  return verbatim(caller) ? caller : hashed(caller);
}

function pathPart(path: string): string {
  return verbatim(path) && !path.includes(':') ? path : hashed(path);
}

function verbatim(part: string): boolean {
  if (part.length > MAX_KEY_PART_LENGTH) return false;
  // A hashed part always has `~` here: a verbatim part of the same length must not.
  if (part.length === MAX_KEY_PART_LENGTH && part[HEAD_LENGTH] === '~') return false;
  // A surrogate without its pair: UTF-8 cannot encode it, so a store would see U+FFFD instead.
  // (`isWellFormed` answers an ASCII string without scanning it, unlike a `\p{Cs}` regex.)
  return part.isWellFormed();
}

function hashed(part: string): string {
  // UTF-16 code units, not UTF-8: two parts differing only in lone surrogates must differ here.
  const digest = createHash('sha256').update(part, 'utf16le').digest('base64url');
  const head = part
    .slice(0, HEAD_LENGTH)
    .replace(/\p{Cs}/gu, '\uFFFD')
    .replaceAll(':', '_');
  return `${head}~${digest}`;
}
