import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  BackendFailureLog,
  type RateLimitRule,
  type RateLimitRuleContext,
  RateLimitRuleResolver,
} from '../rate-limit/index.js';
import { RateLimit } from './entities/rate-limit.entity.js';
import {
  RATE_LIMIT_RULES_OPTIONS,
  type RateLimitRulesModuleOptions,
} from './rate-limit-rules.module-definition.js';
import { RuleTable } from './rule-table.js';
import { readRuleVersion } from './rule-version.js';

/**
 * Operator rules held in process memory: the guard's rule resolver, with no database query on the
 * request path. Loaded at start-up, reloaded at once after a write through this instance
 * ({@link reload}), and checked every `refreshIntervalMs` for writes made by other instances. When
 * the database cannot be read, the last known rules keep serving and the failure is logged.
 */
@Injectable()
export class RateLimitRuleCache
  extends RateLimitRuleResolver
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private table = new RuleTable([]);
  private version: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Loads run one after another, so an older read never replaces a newer one. */
  private loading: Promise<unknown> = Promise.resolve();
  private readonly failures = new BackendFailureLog('rule database');

  constructor(
    private readonly dataSource: DataSource,
    @Inject(RATE_LIMIT_RULES_OPTIONS) private readonly options: RateLimitRulesModuleOptions,
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
    await this.reload();
    const interval = this.options.refreshIntervalMs ?? 5000;
    this.timer = setInterval(() => void this.refresh(), interval);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Reads every live rule of every live tier now. Rejects when the database fails. */
  reload(): Promise<void> {
    return this.serialized(() => this.load());
  }

  /**
   * Reloads after a write through this instance, so the write applies to the next request.
   * Never rejects: if the database fails now, the periodic check picks the write up later.
   */
  async reloadAfterWrite(): Promise<void> {
    try {
      await this.reload();
    } catch (error) {
      this.failures.failure(error, 'serving the last known rules');
    }
  }

  /** Reloads when the tables changed since the last load; never rejects. */
  refresh(): Promise<void> {
    return this.serialized(() => this.refreshIfChanged());
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
        'rule.path',
        'rule.limit',
        'rule.period',
        'rule.algorithm',
        'rule.burst',
      ])
      // Rules in creation order, so that each path's rules come in a stable order.
      .orderBy('rule.id')
      .getMany();
    this.table = new RuleTable(rows);
    this.version = version;
  }

  private async refreshIfChanged(): Promise<void> {
    try {
      if ((await readRuleVersion(this.dataSource)) !== this.version) await this.load();
      this.failures.success();
    } catch (error) {
      this.failures.failure(error, 'serving the last known rules');
    }
  }
}
