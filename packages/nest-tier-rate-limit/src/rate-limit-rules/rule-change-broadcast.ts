import { randomUUID } from 'node:crypto';
import type { ModuleRef } from '@nestjs/core';
import { BackendFailureLog } from '../rate-limit/backend-failure-log.js';
import { RATE_LIMIT_OPTIONS } from '../rate-limit/rate-limit-options.resolve.js';
import type { ResolvedRateLimitOptions } from '../rate-limit/rate-limit-options.js';
import { RateLimitStore } from '../rate-limit/stores/rate-limit-store.js';
import { RedisRateLimitStore } from '../rate-limit/stores/redis-rate-limit.store.js';
import { closeRedis, type RedisConnection } from '../rate-limit/stores/redis-connection.js';
import { encodeRuleChange, ruleChangeChannel } from './rule-change-message.js';
import { RuleChangeSubscriber } from './rule-change-subscriber.js';

/** What the log says still works while publishing does not. */
const FALLBACK = 'the other instances find rule writes by their periodic check';

/**
 * Rule writes told to every instance of the app through Redis pub/sub, on the channel of the
 * limiter's key prefix: a connection to publish on and a {@link RuleChangeSubscriber}, both
 * duplicated from the limiter's {@link RedisRateLimitStore}. A lost message costs only time: the
 * periodic check still finds the change.
 */
export class RuleChangeBroadcast {
  /** Tells this instance's messages from the others'; says nothing else about it. */
  private readonly instance = randomUUID();
  private readonly failures = new BackendFailureLog('rule-change publisher');
  private readonly publisher: RedisConnection;
  private readonly subscriber: RuleChangeSubscriber;

  /** @param onChange called when another instance wrote rules; must not throw */
  constructor(
    store: RedisRateLimitStore,
    private readonly channel: string,
    onChange: () => void,
  ) {
    this.publisher = store.duplicateConnection({ lazyConnect: false });
    // Failures reach publish() as rejections, logged there.
    this.publisher.on('error', () => undefined);
    const connection = store.duplicateConnection({ lazyConnect: false, autoResubscribe: false });
    this.subscriber = new RuleChangeSubscriber(connection, channel, this.instance, onChange);
  }

  /** Tells the other instances that rules changed; never rejects, never waits for Redis. */
  publish(version: string | undefined): void {
    const message = encodeRuleChange({ instance: this.instance, version });
    this.publisher.publish(this.channel, message).then(
      () => this.failures.success(),
      (error: unknown) => this.failures.failure(error, FALLBACK),
    );
  }

  /** Closes both connections. */
  async close(): Promise<void> {
    await Promise.all([closeRedis(this.publisher), this.subscriber.close()]);
  }
}

/**
 * The broadcast of the app's limiter when its store is a {@link RedisRateLimitStore}; `undefined`
 * for any other store, or no limiter. Looked up at call time, not injected: the limiter's options
 * usually take the rule cache as their resolver, so the cache cannot depend on the store.
 */
export function openRuleChangeBroadcast(
  moduleRef: ModuleRef,
  onChange: () => void,
): RuleChangeBroadcast | undefined {
  const store = provided<RateLimitStore>(moduleRef, RateLimitStore);
  const options = provided<ResolvedRateLimitOptions>(moduleRef, RATE_LIMIT_OPTIONS);
  if (!(store instanceof RedisRateLimitStore) || options === undefined) return undefined;
  try {
    return new RuleChangeBroadcast(store, ruleChangeChannel(options.keyPrefix), onChange);
  } catch (error) {
    new BackendFailureLog('rule-change channel').failure(error, 'only the periodic check runs');
    return undefined;
  }
}

function provided<T>(moduleRef: ModuleRef, token: symbol | typeof RateLimitStore): T | undefined {
  try {
    return moduleRef.get<unknown, T>(token, { strict: false });
  } catch {
    // Not registered: no limiter in this app, so nothing to broadcast over.
    return undefined;
  }
}
