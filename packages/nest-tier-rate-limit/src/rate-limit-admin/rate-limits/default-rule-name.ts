import { createHash } from 'node:crypto';

/** Longest rule name the `rate_limits.name` column holds. */
export const MAX_RULE_NAME_LENGTH = 100;
/** Characters of the SHA-256 (base64url) kept in a shortened name: 132 bits. */
const DIGEST_LENGTH = 22;

/**
 * The name a rule created without one gets: `{tier}_{path}`, or, past
 * {@link MAX_RULE_NAME_LENGTH}, its head, `~` and a digest of the whole, so that two long paths
 * sharing a prefix never get the same name (a plain cut gave them one, and a 409).
 */
export function defaultRuleName(tierName: string, path: string): string {
  const full = `${tierName}_${path}`;
  if (full.length <= MAX_RULE_NAME_LENGTH) return full;
  const digest = createHash('sha256').update(full).digest('base64url').slice(0, DIGEST_LENGTH);
  // Never end the head on half a surrogate pair.
  const head = full
    .slice(0, MAX_RULE_NAME_LENGTH - 1 - DIGEST_LENGTH)
    .replace(/[\uD800-\uDBFF]$/, '');
  return `${head}~${digest}`;
}
