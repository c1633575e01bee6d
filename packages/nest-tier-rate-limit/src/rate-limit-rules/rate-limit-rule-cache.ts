import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import {
  BackendFailureLog,
  RateLimitMetrics,
  type RateLimitRule,
  type RateLimitRuleContext,
  RateLimitRuleResolver,
} from '../rate-limit/index.js';
import { RateLimit } from './entities/rate-limit.entity.js';
import {
  RATE_LIMIT_RULES_OPTIONS,
  type RateLimitRulesModuleOptions,
} from './rate-limit-rules.module-definition.js';
import { openRuleChangeBroadcast, type RuleChangeBroadcast } from './rule-change-broadcast.js';
import { RuleTable } from './rule-table.js';
import { readRuleVersion } from './rule-version.js';

/**
 * Operator rules held in process memory: the guard's rule resolver, with no database query on the
 * request path. Loaded at start-up, reloaded at once after a write through this instance
 * ({@link reloadAfterWrite}), and checked every `refreshIntervalMs` for writes made by other
 * instances. When the limiter's store is a `RedisRateLimitStore`, each write through this instance
 * is also published on the Redis channel `{keyPrefix}:rules`, and a message from another instance
 * runs the same check at once ({@link refresh}). When the database cannot be read, the last known
 * rules keep serving and the failure is logged.
 */
@Injectable()
export class RateLimitRuleCache
  extends RateLimitRuleResolver
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private table = new RuleTable([]);
  private version: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** A check queued behind a running load and not started yet. */
  private queuedRefresh: Promise<void> | undefined;
  private broadcast: RuleChangeBroadcast | undefined;
  /** Loads run one after another, so an older read never replaces a newer one. */
  private loading: Promise<unknown> = Promise.resolve();
  private readonly failures = new BackendFailureLog('rule database');
  private readonly logger = new Logger('RateLimit');
  /** The limiter's metrics, found at bootstrap (none without `RateLimitModule`). */
  private metrics: RateLimitMetrics | undefined;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(RATE_LIMIT_RULES_OPTIONS) private readonly options: RateLimitRulesModuleOptions,
    private readonly moduleRef: ModuleRef,
  ) {
    super();
  }

  /** Rules currently held. */
  get size(): number {
    return this.table.size;
  }

  /** Every limit on the request, from the rules held: see {@link RuleTable.resolve}. */
  resolve(context: RateLimitRuleContext): readonly RateLimitRule[] {
    return this.table.resolve(context);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.metrics = findMetrics(this.moduleRef);
    this.metrics?.watchRules(() => this.size);
    await this.reload();
    this.broadcast = openRuleChangeBroadcast(this.moduleRef, () => void this.refresh());
    const interval = this.options.refreshIntervalMs ?? 5000;
    this.timer = setInterval(() => void this.refresh(), interval);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.broadcast?.close();
  }

  /** Reads every live rule of every live tier now. Rejects when the database fails. */
  reload(): Promise<void> {
    return this.serialized(() => this.load());
  }

  /**
   * Reloads after a write through this instance, so the write applies to the next request, and
   * tells the other instances when the store is Redis. Never rejects: if the database fails now,
   * the periodic check picks the write up later.
   */
  async reloadAfterWrite(): Promise<void> {
    try {
      await this.reload();
    } catch (error) {
      this.reloadFailed(error);
    }
    // Even after a failed reload: the others may read the database this instance cannot.
    this.broadcast?.publish(this.version);
  }

  /**
   * Reloads when the tables changed since the last load; never rejects. Calls made while a check
   * waits its turn share it: a burst of messages costs one query, not one each.
   */
  refresh(): Promise<void> {
    this.queuedRefresh ??= this.serialized(() => {
      // Started: a change written from now on needs a check of its own.
      this.queuedRefresh = undefined;
      return this.refreshIfChanged();
    });
    return this.queuedRefresh;
  }

  private serialized(task: () => Promise<void>): Promise<void> {
    const run = this.loading.then(task);
    this.loading = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<void> {
    const version = await readRuleVersion(this.dataSource);
    const rows = await this.dataSource
      .getRepository(RateLimit)
      .createQueryBuilder('rule')
      .innerJoin('rule.tier', 'tier', 'tier.deletedAt IS NULL')
      .select([
        'rule.tierId',
        'rule.name',
        'rule.path',
        'rule.limit',
        'rule.period',
        'rule.algorithm',
        'rule.burst',
        'rule.mode',
      ])
      // Rules in creation order, so that each path's rules come in a stable order.
      .orderBy('rule.id')
      .getMany();
    this.table = new RuleTable(rows);
    this.version = version;
    this.logger.log(`rules reloaded: ${this.table.size} rules`, {
      event: 'rate_limit.rules_reload',
      rules: this.table.size,
      version,
    });
  }

  private async refreshIfChanged(): Promise<void> {
    try {
      if ((await readRuleVersion(this.dataSource)) !== this.version) await this.load();
      this.failures.success();
    } catch (error) {
      this.reloadFailed(error);
    }
  }

  private reloadFailed(error: unknown): void {
    this.metrics?.ruleReloadFailed();
    this.failures.failure(error, 'serving the last known rules');
  }
}

/** The limiter's metrics, when `RateLimitModule` is in the app. */
function findMetrics(moduleRef: ModuleRef): RateLimitMetrics | undefined {
  try {
    return moduleRef.get(RateLimitMetrics, { strict: false });
  } catch {
    return undefined;
  }
}
