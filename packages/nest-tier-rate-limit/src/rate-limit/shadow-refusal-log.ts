import { Logger } from '@nestjs/common';
import type { RateLimitPolicyState } from './rate-limit-decision.js';
import { policyLabel } from './ietf-headers.js';

/** Quiet period between two logged would-be refusals of one shadow policy. */
const LOG_INTERVAL_MS = 10_000;

/** Shadow policies tracked apart; past that, they share one quiet period. */
const MAX_POLICIES = 1000;

/**
 * Logs what shadow policies would have refused, sampled so that a flood cannot flood the log:
 * per policy the first would-be refusal at once, then at most one line per interval with how
 * many were left out. One JSON record per line under a JSON logger; the counter key names the
 * caller (`user:42`, `ip:…`), never a token.
 */
export class ShadowRefusalLog {
  private readonly logger = new Logger('RateLimit');
  private readonly quiet = new Map<string, { until: number; suppressed: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records that `state`'s shadow policy would have refused a request that passed. */
  wouldRefuse(state: RateLimitPolicyState): void {
    const policy = policyLabel(state.policy);
    const slot = this.quiet.has(policy) || this.quiet.size < MAX_POLICIES ? policy : '';
    const now = this.now();
    const known = this.quiet.get(slot);
    if (known !== undefined && now < known.until) {
      known.suppressed += 1;
      return;
    }
    const suppressed = known?.suppressed ?? 0;
    this.quiet.set(slot, { until: now + LOG_INTERVAL_MS, suppressed: 0 });
    const { key, period } = state.policy;
    const more = suppressed > 0 ? ` (${suppressed} more since the last report)` : '';
    this.logger.warn(
      `shadow policy ${policy} would have refused ${key} (${state.limit} per ${period} s)${more}`,
      {
        event: 'rate_limit.shadow_refusal',
        policy,
        key,
        limit: state.limit,
        period,
        retryAfterSeconds: state.retryAfterSeconds,
        suppressed,
      },
    );
  }
}
