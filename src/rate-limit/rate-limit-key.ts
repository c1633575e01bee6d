import { createHash } from 'node:crypto';

/** Longest path kept verbatim in a key; longer ones keep a readable head and a hash of the rest. */
export const MAX_KEY_PATH_LENGTH = 128;
/** A SHA-256 in base64url is 43 characters; one more for the `~` separator. */
const HEAD_LENGTH = MAX_KEY_PATH_LENGTH - 44;

/**
 * The counter key of a caller on a path: `{prefix}:{caller}:{path}`.
 * Paths longer than {@link MAX_KEY_PATH_LENGTH} are shortened to a head plus a SHA-256 of the whole
 * path, so a huge URL never makes a huge key while distinct paths keep distinct keys.
 * @example buildRateLimitKey('ratelimit', '42', 'api_v1_widgets') // 'ratelimit:42:api_v1_widgets'
 */
export function buildRateLimitKey(prefix: string, caller: string, path: string): string {
  return `${prefix}:${caller}:${boundPath(path)}`;
}

function boundPath(path: string): string {
  if (path.length <= MAX_KEY_PATH_LENGTH) return path;
  const digest = createHash('sha256').update(path).digest('base64url');
  return `${path.slice(0, HEAD_LENGTH)}~${digest}`;
}
