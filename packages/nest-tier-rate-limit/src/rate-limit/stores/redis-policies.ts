import type { RateLimitAlgorithm } from '../algorithms/rate-limit-algorithm.js';
import { POLICIES_COUNT_SCRIPT, POLICIES_REFUND_SCRIPT } from './policies.lua.js';
import type { RateLimitCounted, RateLimitHit, RateLimitPolicyCheck } from './rate-limit-store.js';
import type { RedisConnection } from './redis-connection.js';

/** Arguments of a script called with its number of keys first: that number, keys, then ARGV. */
type ScriptArguments = (string | number)[];
type KeysScriptCommand = (...args: ScriptArguments) => Promise<unknown>;

const COUNT_COMMAND = 'rateLimitCountPolicies';
const REFUND_COMMAND = 'rateLimitRefundPolicies';

/** A connection that {@link definePolicyScripts} has been called on. */
export type PolicyScriptClient = RedisConnection &
  Record<typeof COUNT_COMMAND | typeof REFUND_COMMAND, KeysScriptCommand>;

/** Adds the policies scripts to `client` as commands (EVALSHA, EVAL when Redis lost them). */
export function definePolicyScripts(client: RedisConnection): void {
  // No numberOfKeys: each call passes its own first.
  client.defineCommand(COUNT_COMMAND, { lua: POLICIES_COUNT_SCRIPT });
  client.defineCommand(REFUND_COMMAND, { lua: POLICIES_REFUND_SCRIPT });
}

/** `POLICIES_COUNT_SCRIPT` on `client`, in one round trip; `now` for tests only. */
export async function countPoliciesOn(
  client: PolicyScriptClient,
  policies: readonly RateLimitPolicyCheck[],
  cost: number,
  now: number | undefined,
): Promise<RateLimitHit[]> {
  const reply = await client[COUNT_COMMAND](...countArguments(policies, cost, now));
  return textHits(reply, policies.length);
}

/** `POLICIES_REFUND_SCRIPT` on `client`, in one round trip; `now` for tests only. */
export async function refundPoliciesOn(
  client: PolicyScriptClient,
  policies: readonly RateLimitPolicyCheck[],
  hits: readonly RateLimitCounted[],
  amount: number,
  now: number | undefined,
): Promise<RateLimitHit[]> {
  const reply = await client[REFUND_COMMAND](...refundArguments(policies, hits, amount, now));
  return textHits(reply, policies.length);
}

/** How the policies scripts name an algorithm. */
const ALGORITHM_CODES: Record<RateLimitAlgorithm, string> = {
  'fixed-window': 'f',
  'sliding-window': 's',
  gcra: 'g',
};
/** The same for a shadow policy: the flag rides in the algorithm, so no argument is added. */
const SHADOW_CODES: Record<RateLimitAlgorithm, string> = {
  'fixed-window': 'F',
  'sliding-window': 'S',
  gcra: 'G',
};

/**
 * The arguments of `POLICIES_COUNT_SCRIPT`: every key, then the cost, the time (`''`: Redis'
 * own) and four values per policy, the first its algorithm, in upper case for a shadow policy.
 */
function countArguments(
  policies: readonly RateLimitPolicyCheck[],
  cost: number,
  now: number | undefined,
): ScriptArguments {
  const args: ScriptArguments = [policies.length, ...policies.map((policy) => policy.key)];
  args.push(cost, now ?? '');
  for (const policy of policies) args.push(...policyArguments(policy));
  return args;
}

/**
 * The arguments of `POLICIES_REFUND_SCRIPT`: every key, then the amount, the time and five values
 * per policy, the last one the `window` of its hit (`''` when it has none).
 */
function refundArguments(
  policies: readonly RateLimitPolicyCheck[],
  hits: readonly RateLimitCounted[],
  amount: number,
  now: number | undefined,
): ScriptArguments {
  if (hits.length !== policies.length)
    throw new Error(`Expected one hit per policy, got ${hits.length} for ${policies.length}`);
  const args: ScriptArguments = [policies.length, ...policies.map((policy) => policy.key)];
  args.push(amount, now ?? '');
  policies.forEach((policy, index) =>
    args.push(...policyArguments(policy), hits[index].window ?? ''),
  );
  return args;
}

function policyArguments({ algorithm, limit, period, burst, shadow }: RateLimitPolicyCheck) {
  const codes = shadow === true ? SHADOW_CODES : ALGORITHM_CODES;
  return [codes[algorithm ?? 'fixed-window'], limit, period, burst ?? limit];
}

/** The reply of a policies script: one {@link textHit} per policy. */
function textHits(reply: unknown, policies: number): RateLimitHit[] {
  if (!Array.isArray(reply) || reply.length !== policies)
    throw new Error(`Unexpected Redis rate-limit script reply: ${JSON.stringify(reply)}`);
  return reply.map(textHit);
}

/**
 * A hit as the scripts reply it: `{limited, count, remaining, resetMs, retryAfterMs}`, and `window`
 * when it has one, each an integer or, where it may have a fraction, `%.17g` text (a number reply
 * would lose the fraction).
 */
export function textHit(reply: unknown): RateLimitHit {
  const numbers = Array.isArray(reply) ? reply.map(Number) : [];
  if (numbers.length < 5 || numbers.length > 6 || !numbers.every(Number.isFinite))
    throw new Error(`Unexpected Redis rate-limit script reply: ${JSON.stringify(reply)}`);
  const [limited, count, remaining, resetMs, retryAfterMs, window] = numbers;
  const hit: RateLimitHit = { limited: limited === 1, count, remaining, resetMs, retryAfterMs };
  if (window !== undefined) hit.window = window;
  return hit;
}
