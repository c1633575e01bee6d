import { Inject, Injectable, Optional } from '@nestjs/common';
import { BackendFailureLog } from './backend-failure-log.js';
import {
  type RateLimitDecision,
  type RateLimitPolicyState,
  toWholeSeconds,
} from './rate-limit-decision.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { everyShadow, isShownState } from './ietf-headers.js';
import { LocalDenyCache } from './local-deny-cache.js';
import { RateLimitMetrics } from './metrics/rate-limit-metrics.js';
import { ShadowRefusalLog } from './shadow-refusal-log.js';
import { isPromiseLike, type MaybePromise } from './maybe-promise.js';
import { RATE_LIMIT_OPTIONS } from './rate-limit-options.resolve.js';
import type { RateLimitFailureMode, ResolvedRateLimitOptions } from './rate-limit-options.js';
import { MemcachedRateLimitStore } from './stores/memcached-rate-limit.store.js';
import { MemoryRateLimitStore } from './stores/memory-rate-limit.store.js';
import { RedisRateLimitStore } from './stores/redis-rate-limit.store.js';
import {
  type RateLimitHit,
  type RateLimitPolicyCheck,
  RateLimitStore,
  RateLimitStoreUnsupportedError,
} from './stores/rate-limit-store.js';
import type { RateLimitAlgorithm } from './algorithms/rate-limit-algorithm.js';

/** One check through {@link RateLimitService.incrementAndCheck}. */
export interface RateLimitCheck extends RateLimitPolicyCheck, RateLimitFailureChoice {}

/** A failure mode for one call, instead of the module's. */
export interface RateLimitFailureChoice {
  /**
   * Overrides the module's failure mode for this call only.
   * @default the module's `failureMode`
   */
  failureMode?: RateLimitFailureMode;
  /**
   * Overrides the module's failure mode for this call only: `true` is `'open'`, `false`
   * `'closed'`. `failureMode` wins when both are given.
   */
  failOpen?: boolean;
}

/** How {@link RateLimitService.incrementAndCheck} counts several policies. */
export interface RateLimitCheckOptions extends RateLimitFailureChoice {
  /** Units the request uses on every policy, a positive integer. @default 1 */
  cost?: number;
  /**
   * Whether the units may be given back later with {@link RateLimitService.refund}; costs a
   * little more on some stores (Redis asks for its clock). @default true
   */
  refundable?: boolean;
}

/** Health of the counter backend, as reported by {@link RateLimitService.health}. */
export interface RateLimitHealth {
  backend: string;
  status: 'up' | 'down';
  error?: string;
}

const POLICY_WORDS: Readonly<Record<RateLimitFailureMode, string>> = {
  open: 'letting requests through',
  closed: 'refusing requests',
  local: 'limiting in this process only',
};

/**
 * The limiter's programmatic API, for limits outside HTTP (jobs, sockets, login attempts).
 * It is also the one place where a backend failure becomes a decision: a circuit breaker stops
 * calling a backend that keeps failing, and the failure mode decides meanwhile.
 */
@Injectable()
export class RateLimitService {
  private readonly failures: BackendFailureLog;
  private readonly circuit: CircuitBreaker;
  /** What the store counts with, beside the fixed window. */
  private readonly algorithms: ReadonlySet<RateLimitAlgorithm>;
  /** Whether the store counts several policies, costs and refunds (else one policy of one unit). */
  private readonly countsPolicies: boolean;
  /** Counts in `local` mode while the shared backend is down; created on first need. */
  private insurance: MemoryRateLimitStore | undefined;
  /** Keys the store refused, refused here until it said (unset: every check asks the store). */
  private readonly denyCache: LocalDenyCache | undefined;

  /** Its Prometheus metrics (see {@link RateLimitMetrics}); the guard counts decisions there. */
  readonly metrics: RateLimitMetrics;
  /** Where the guard reports what shadow policies would have refused. */
  readonly shadowLog: ShadowRefusalLog;

  constructor(
    private readonly store: RateLimitStore,
    @Inject(RATE_LIMIT_OPTIONS) private readonly options: ResolvedRateLimitOptions,
    @Optional() metrics?: RateLimitMetrics,
  ) {
    this.failures = new BackendFailureLog(`${store.name} rate-limit store`);
    this.algorithms = new Set(store.algorithms);
    this.countsPolicies = store.countsSeveral;
    this.circuit = new CircuitBreaker(options.circuitBreaker, options.clock);
    this.metrics = metrics ?? new RateLimitMetrics(store.name);
    this.metrics.watchCircuit(() => this.circuit.isOpen);
    this.shadowLog = new ShadowRefusalLog(() => options.clock.now());
    // On by default for the built-in shared stores only: the cache counts real time, which a
    // custom store (or a test's) may not report its waits in.
    const denyCache =
      options.localDenyCache ??
      (store instanceof RedisRateLimitStore || store instanceof MemcachedRateLimitStore);
    if (denyCache !== false)
      this.denyCache = new LocalDenyCache(denyCache === true ? {} : denyCache);
  }

  /**
   * Counts one request on `key` and decides whether it may proceed; or, given several policies,
   * counts it on all of them at once (a refusal by one counts on none) and decides with all.
   * Never rejects for the backend: when it fails, times out or its circuit is open, the failure
   * mode decides; rejects with a `RangeError` for an empty list, two policies with one key, or a
   * cost that is not a positive integer. Its units can be given back with {@link refund} when it
   * was given a list or `options` (one check alone is counted the fastest way, which keeps no
   * trace a refund could find).
   * @example
   * ```ts
   * const decision = await limiter.incrementAndCheck([
   *   { key: 'jobs:{acme}:burst', limit: 10, period: 1 },
   *   { key: 'jobs:{acme}:hour', limit: 1000, period: 3600 },
   * ]);
   * ```
   */
  async incrementAndCheck(
    check: RateLimitCheck | readonly RateLimitPolicyCheck[],
    options?: RateLimitCheckOptions,
  ): Promise<RateLimitDecision> {
    if (!isPolicyList(check) && options === undefined) return this.check(check);
    const policies = isPolicyList(check) ? check : [check];
    const cost = options?.cost ?? 1;
    const problem = listProblem(policies) ?? unitsProblem('cost', cost);
    if (problem !== undefined)
      throw new RangeError(`RateLimitService.incrementAndCheck: ${problem}`);
    const failure = options ?? (check as RateLimitCheck);
    return this.checkAll(policies, cost, options?.refundable ?? true, failure);
  }

  /**
   * {@link incrementAndCheck} of one policy for the guard: the decision itself when the store
   * answers without I/O (memory, or the `local` failure mode), else a promise of it. Never throws
   * or rejects.
   */
  check(check: RateLimitCheck): MaybePromise<RateLimitDecision> {
    const { algorithm } = check;
    if (algorithm !== undefined && algorithm !== 'fixed-window' && !this.algorithms.has(algorithm))
      return this.unsupported(check, algorithm);
    // Also the deny cache's time: monotonic, and the store's own (not a test's clock).
    const started = performance.now();
    if (this.denyCache !== undefined && this.denyCache.size > 0) {
      const refused = this.denyCache.refusal(check, 1, started);
      if (refused !== undefined) return counted(refused, check, 'store');
    }
    if (!this.circuit.tryAcquire()) return this.decideWithoutStore(check);
    let hit: MaybePromise<RateLimitHit>;
    try {
      // The check carries its algorithm and burst: no object built for them.
      hit = this.store.countRequest(check.key, check.limit, check.period, check);
    } catch (error) {
      return this.failed(check, error);
    }
    if (!isPromiseLike(hit)) return this.counted(hit, check, started);
    return Promise.resolve(hit).then(
      (answer) => this.counted(answer, check, started),
      (error: unknown) => this.failed(check, error),
    );
  }

  /**
   * Several policies at once, for the guard: as {@link check}, with `cost` units on each, and
   * `refundable` when the units may be given back. `failure` chooses the failure mode.
   */
  checkAll(
    policies: readonly RateLimitPolicyCheck[],
    cost: number,
    refundable: boolean,
    failure: RateLimitFailureChoice = {},
  ): MaybePromise<RateLimitDecision> {
    const strange = policies.find(
      ({ algorithm = 'fixed-window' }) =>
        algorithm !== 'fixed-window' && !this.algorithms.has(algorithm),
    );
    if (strange !== undefined)
      return this.unsupported(failure, strange.algorithm!, () =>
        this.withoutStore(policies, cost, failure),
      );
    if (!this.countsPolicies && (policies.length !== 1 || cost !== 1 || refundable)) {
      // Decided before the circuit is asked: a store that cannot do this is not down.
      const error = new RateLimitStoreUnsupportedError(
        this.store.name,
        'count several policies, costs or refunds',
        'it overrides neither countSeveral nor refundPolicies',
      );
      this.failures.failure(error, POLICY_WORDS[this.failureModeOf(failure)]);
      return this.withoutStore(policies, cost, failure);
    }
    const started = performance.now();
    if (this.denyCache !== undefined && this.denyCache.size > 0) {
      const refused = knownRefusal(this.denyCache, policies, cost, started);
      if (refused !== undefined) return refused;
    }
    if (!this.circuit.tryAcquire()) return this.withoutStore(policies, cost, failure);
    let hits: MaybePromise<RateLimitHit[]>;
    try {
      hits = this.store.countPolicies(policies, cost, refundable);
    } catch (error) {
      return this.failedAll(policies, cost, failure, error);
    }
    if (!isPromiseLike(hits)) return this.countedAll(policies, hits, cost, 'store', started);
    return Promise.resolve(hits).then(
      (answer) => this.countedAll(policies, answer, cost, 'store', started),
      (error: unknown) => this.failedAll(policies, cost, failure, error),
    );
  }

  /**
   * Gives back `units` (default: all) that a decision counted on each of its policies: the
   * settlement of a request that should not cost what the guard charged (a successful login, a
   * job whose third-party call did not fail). Atomic per key, never below zero, never into a
   * later window, and no GCRA unit that has already drained. The decision's `cost` drops by what
   * is given back, so the same units are never given back twice. Resolves with the decision as it
   * stands afterwards; never rejects for the backend (a failure is logged and the units stay
   * counted); rejects with a `RangeError` when `units` is not a positive integer.
   */
  refund(decision: RateLimitDecision, units: number = decision.cost): Promise<RateLimitDecision> {
    if (units !== 0 || decision.cost !== 0) {
      const problem = unitsProblem('units', units);
      if (problem !== undefined)
        return Promise.reject(new RangeError(`RateLimitService.refund: ${problem}`));
    }
    return Promise.resolve(this.settle(decision, units));
  }

  /** {@link refund} for the interceptor: at once when the store answers without I/O. */
  settle(
    decision: RateLimitDecision,
    units: number = decision.cost,
  ): MaybePromise<RateLimitDecision> {
    const amount = Math.min(units, decision.cost);
    const { source } = decision;
    if (!(amount > 0) || source === 'policy') return decision;
    const store = source === 'local' ? this.insurance : this.store;
    if (store === undefined || (store === this.store && this.circuit.isOpen)) return decision;
    const policies = decision.policies.map((state) => state.policy);
    // Units given back may let a remembered refusal's key pass sooner than the store said.
    if (this.denyCache !== undefined) {
      const now = performance.now();
      for (const policy of policies) this.denyCache.forget(policy.key, now);
    }
    const left = decision.cost - amount;
    // Taken at once, so that a second refund of the same decision, even concurrent, finds less.
    decision.cost = left;
    let hits: MaybePromise<RateLimitHit[]>;
    try {
      hits = store.refundPolicies(policies, decision.policies, amount);
    } catch (error) {
      return this.refundFailed(decision, amount, error);
    }
    const settled = (answer: RateLimitHit[]) => {
      // The windows stay those that counted the units left, for a later refund of them.
      answer.forEach((hit, index) => (hit.window ??= decision.policies[index].window));
      return summarize(policies, answer, left, source);
    };
    if (!isPromiseLike(hits)) return settled(hits);
    return Promise.resolve(hits).then(settled, (error: unknown) =>
      this.refundFailed(decision, amount, error),
    );
  }

  /** Whether the circuit is open: checks skip the backend and follow the failure mode. */
  get circuitOpen(): boolean {
    return this.circuit.isOpen;
  }

  /** Requests counted in the live window of `key`. Rejects when the backend fails. */
  getCount(key: string): Promise<number> {
    return this.store.getCount(key);
  }

  /**
   * Clears the live counter of `key` (and this process's memory of its refusal). Rejects when the
   * backend fails.
   */
  reset(key: string): Promise<void> {
    this.denyCache?.forget(key, performance.now());
    return this.store.reset(key);
  }

  /**
   * Clears every counter matching a glob (and every refusal this process remembers); rejects on
   * stores that cannot enumerate keys.
   */
  resetPattern(pattern: string): Promise<number> {
    this.denyCache?.clear(performance.now());
    return this.store.resetPattern(pattern);
  }

  /** Whether the backend answers now. */
  async health(): Promise<RateLimitHealth> {
    try {
      await this.store.ping();
      return { backend: this.store.name, status: 'up' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { backend: this.store.name, status: 'down', error: message };
    }
  }

  private failureModeOf(check: RateLimitFailureChoice): RateLimitFailureMode {
    if (check.failureMode !== undefined) return check.failureMode;
    if (check.failOpen !== undefined) return check.failOpen ? 'open' : 'closed';
    return this.options.failureMode;
  }

  private counted(hit: RateLimitHit, check: RateLimitCheck, started: number): RateLimitDecision {
    this.metrics.storeCall(performance.now() - started);
    this.circuit.success();
    this.failures.success();
    if (hit.limited) this.denyCache?.remember(check, 1, hit, started);
    return counted(hit, check, 'store');
  }

  private countedAll(
    policies: readonly RateLimitPolicyCheck[],
    hits: RateLimitHit[],
    cost: number,
    source: 'store' | 'local',
    started = 0,
  ): RateLimitDecision {
    if (source === 'store') {
      this.metrics.storeCall(performance.now() - started);
      this.circuit.success();
      this.failures.success();
    }
    const decision = summarize(policies, hits, cost, source);
    if (!decision.allowed && source === 'store' && this.denyCache !== undefined)
      for (let i = 0; i < hits.length; i += 1)
        this.denyCache.remember(policies[i], cost, hits[i], started);
    return decision;
  }

  /** A store that cannot count this way: the failure mode decides, the circuit stays as it is. */
  private unsupported(
    failure: RateLimitFailureChoice,
    algorithm: RateLimitAlgorithm,
    decide: () => MaybePromise<RateLimitDecision> = () =>
      this.decideWithoutStore(failure as RateLimitCheck),
  ): MaybePromise<RateLimitDecision> {
    const error = new Error(`the ${this.store.name} store cannot count with ${algorithm}`);
    this.failures.failure(error, POLICY_WORDS[this.failureModeOf(failure)]);
    return decide();
  }

  private failed(check: RateLimitCheck, error: unknown): RateLimitDecision {
    this.metrics.storeFailed();
    this.circuit.failure();
    this.failures.failure(error, POLICY_WORDS[this.failureModeOf(check)]);
    return this.decideWithoutStore(check);
  }

  private failedAll(
    policies: readonly RateLimitPolicyCheck[],
    cost: number,
    failure: RateLimitFailureChoice,
    error: unknown,
  ): MaybePromise<RateLimitDecision> {
    this.settleCircuit(error);
    this.failures.failure(error, POLICY_WORDS[this.failureModeOf(failure)]);
    return this.withoutStore(policies, cost, failure);
  }

  private refundFailed(
    decision: RateLimitDecision,
    amount: number,
    error: unknown,
  ): RateLimitDecision {
    this.settleCircuit(error);
    this.failures.failure(error, 'keeping the units counted');
    // Still counted: a later refund may try again.
    decision.cost += amount;
    return decision;
  }

  /** A store that answered "cannot" is not down: it closes a probing circuit rather than open it. */
  private settleCircuit(error: unknown): void {
    if (error instanceof RateLimitStoreUnsupportedError) this.circuit.success();
    else {
      this.metrics.storeFailed();
      this.circuit.failure();
    }
  }

  private decideWithoutStore(check: RateLimitCheck): RateLimitDecision {
    const mode = this.failureModeOf(check);
    if (mode === 'local')
      return counted(
        this.insuranceStore().countNow(check.key, check.limit, check.period, check),
        check,
        'local',
      );
    // Refusing as a precaution is enforcing: a shadow policy never does.
    return byPolicy(mode === 'open' || check.shadow === true, check);
  }

  /** Several policies while the backend is out: in memory (`local`), else by the failure mode. */
  private withoutStore(
    policies: readonly RateLimitPolicyCheck[],
    cost: number,
    failure: RateLimitFailureChoice,
  ): RateLimitDecision {
    const mode = this.failureModeOf(failure);
    if (mode === 'local')
      return summarize(
        policies,
        this.insuranceStore().countPoliciesNow(policies, cost),
        cost,
        'local',
      );
    return byPolicy(mode === 'open' || policies.every(isShadow), policies[0]);
  }

  private insuranceStore(): MemoryRateLimitStore {
    this.insurance ??= new MemoryRateLimitStore({
      maxKeys: this.options.memory?.maxKeys,
      clock: this.options.clock,
    });
    return this.insurance;
  }
}

/**
 * The refusal `cache` knows for `cost` units on these policies at `now`, as the store answered
 * it, described by the policies known to refuse; `undefined` when none is known to.
 */
function knownRefusal(
  cache: LocalDenyCache,
  policies: readonly RateLimitPolicyCheck[],
  cost: number,
  now: number,
): RateLimitDecision | undefined {
  let refusing: RateLimitPolicyCheck[] | undefined;
  let hits: RateLimitHit[] | undefined;
  for (const policy of policies) {
    const hit = cache.refusal(policy, cost, now);
    if (hit === undefined) continue;
    (refusing ??= []).push(policy);
    (hits ??= []).push(hit);
  }
  return refusing === undefined ? undefined : summarize(refusing, hits!, cost, 'store');
}

/** What is wrong with a list of policies for one call, or `undefined`. */
function listProblem(policies: readonly RateLimitPolicyCheck[]): string | undefined {
  if (policies.length === 0) return 'give at least one policy';
  for (let i = 1; i < policies.length; i += 1)
    for (let j = 0; j < i; j += 1)
      if (policies[i].key === policies[j].key)
        return `two policies with the key ${JSON.stringify(policies[i].key)}`;
  return undefined;
}

/** What is wrong with a number of units, or `undefined`. */
function unitsProblem(name: string, units: number): string | undefined {
  if (Number.isSafeInteger(units) && units > 0) return undefined;
  return `${name} must be a positive integer, got ${String(units)}`;
}

function isPolicyList(
  check: RateLimitCheck | readonly RateLimitPolicyCheck[],
): check is readonly RateLimitPolicyCheck[] {
  return Array.isArray(check);
}

/** The failure mode's answer, with no counter: let through (`open`) or refuse. */
function byPolicy(open: boolean, policy: RateLimitPolicyCheck): RateLimitDecision {
  return {
    policy,
    allowed: open,
    limit: policy.limit,
    remaining: 0,
    resetSeconds: 0,
    retryAfterSeconds: open ? 0 : 1,
    degraded: true,
    source: 'policy',
    cost: 0,
    policies: [],
  };
}

/** One policy's state from its hit. */
function stateOf(hit: RateLimitHit, policy: RateLimitPolicyCheck): RateLimitPolicyState {
  return {
    policy,
    allowed: !hit.limited,
    limit: policy.limit,
    remaining: hit.remaining,
    resetSeconds: toWholeSeconds(hit.resetMs),
    // A refused caller is never told to retry at once, even at the very end of a window.
    retryAfterSeconds: hit.limited ? Math.max(1, toWholeSeconds(hit.retryAfterMs)) : 0,
    window: hit.window,
  };
}

/**
 * One decision from every policy's hit: refused when any policy not in shadow refused, described
 * by the policy with the fewest requests left among the refusing ones (else among all those the
 * headers show, see `isShownState`; the later reset breaks a tie), waiting as long as the slowest
 * refusing policy.
 */
function summarize(
  policies: readonly RateLimitPolicyCheck[],
  hits: readonly RateLimitHit[],
  cost: number,
  source: 'store' | 'local',
): RateLimitDecision {
  const states = hits.map((hit, index) => stateOf(hit, policies[index]));
  const allowed = states.every(passes);
  const shadows = everyShadow(states);
  let shown: RateLimitPolicyState | undefined;
  let retryAfterSeconds = 0;
  for (const state of states) {
    if (!allowed && passes(state)) continue;
    // Beside enforced policies, a shadow one is not what the headers describe.
    if (!isShownState(state, shadows)) continue;
    if (!allowed) retryAfterSeconds = Math.max(retryAfterSeconds, state.retryAfterSeconds);
    if (
      shown === undefined ||
      state.remaining < shown.remaining ||
      (state.remaining === shown.remaining && state.resetSeconds > shown.resetSeconds)
    )
      shown = state;
  }
  const { policy, limit, remaining, resetSeconds, window } = shown!;
  // Written out, not spread: a spread of the state cost more than the whole store call here.
  return {
    policy,
    allowed,
    limit,
    remaining,
    resetSeconds,
    retryAfterSeconds,
    window,
    degraded: false,
    source,
    cost: allowed ? cost : 0,
    policies: states,
  };
}

function isShadow(policy: RateLimitPolicyCheck): boolean {
  return policy.shadow === true;
}

/** Whether a policy's state lets the request through: it passed, or it is only a shadow. */
function passes(state: RateLimitPolicyState): boolean {
  return state.allowed || state.policy.shadow === true;
}

/** The decision of one policy: its own state, and the only one of its policies. */
function counted(
  hit: RateLimitHit,
  policy: RateLimitPolicyCheck,
  source: 'store' | 'local',
): RateLimitDecision {
  // A shadow refusal lets the request through; its state is not the decision, and no refund
  // may take back what it did not count.
  if (hit.limited && policy.shadow === true) return summarize([policy], [hit], 0, source);
  const policies: RateLimitPolicyState[] = [];
  const decision: RateLimitDecision = {
    policy,
    allowed: !hit.limited,
    limit: policy.limit,
    remaining: hit.remaining,
    resetSeconds: toWholeSeconds(hit.resetMs),
    // A refused caller is never told to retry at once, even at the very end of a window.
    retryAfterSeconds: hit.limited ? Math.max(1, toWholeSeconds(hit.retryAfterMs)) : 0,
    window: hit.window,
    degraded: false,
    source,
    cost: hit.limited ? 0 : 1,
    policies,
  };
  policies.push(decision);
  return decision;
}
