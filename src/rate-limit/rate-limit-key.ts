import { createHash } from 'node:crypto';

/**
 * Longest caller or path kept verbatim in a key; longer ones keep a readable head and a hash of
 * the whole, so keys stay bounded whatever a URL, header or token holds.
 */
export const MAX_KEY_PART_LENGTH = 128;
/** A SHA-256 in base64url is 43 characters; one more for the `~` separator. */
const HEAD_LENGTH = MAX_KEY_PART_LENGTH - 44;

/**
 * The counter key of a caller on a path: `{prefix}:{caller}:{path}`, each part bounded to
 * {@link MAX_KEY_PART_LENGTH} characters (distinct parts keep distinct keys).
 * @example buildRateLimitKey('ratelimit', '42', 'api_v1_widgets') // 'ratelimit:42:api_v1_widgets'
 */
export function buildRateLimitKey(prefix: string, caller: string, path: string): string {
  return `${prefix}:${bound(caller)}:${bound(path)}`;
}

function bound(part: string): string {
  if (part.length <= MAX_KEY_PART_LENGTH) return part;
  const digest = createHash('sha256').update(part).digest('base64url');
  return `${part.slice(0, HEAD_LENGTH)}~${digest}`;
}
