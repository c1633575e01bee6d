import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { countingProblem } from '../../rate-limit/algorithms/rate-limit-algorithm.js';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { RateLimit, RateLimitRuleCache, type Tier } from '../../rate-limit-rules/index.js';
import { rethrowConflict } from '../conflicts.js';
import { type Page, type PaginationQueryDto, pageWindow, toPage } from '../pagination.js';
import { normalizeRulePath } from '../rule-path.js';
import { lockLiveTier } from '../tier-lock.js';
import { inWriteTransaction } from '../write-transaction.js';
import { defaultRuleName } from './default-rule-name.js';
import { rethrowDuplicate, rethrowDuplicateConflict } from './duplicate-rule.js';
import type {
  CreateRateLimitDto,
  RateLimitResponse,
  UpdateRateLimitDto,
} from './rate-limit.dto.js';

const conflicts = ({ name }: RateLimit) => ({
  UQ_rate_limits_name_live: `Rate limit name "${name}" is taken`,
});

/**
 * Rules: reads for anyone; each write is one transaction that holds the rule's new tier (so the
 * tier cannot be deleted under it), stores sanitized paths, and reloads the cache once committed.
 * One live rule per tier, path and period: a write repeating one is a 409 naming it, found by the
 * unique index (so that a race ends as a conflict seen beforehand does).
 */
@Injectable()
export class RateLimitsService {
  constructor(
    @InjectRepository(RateLimit) private readonly rules: Repository<RateLimit>,
    private readonly cache: RateLimitRuleCache,
  ) {}

  async list(query: PaginationQueryDto): Promise<Page<RateLimitResponse>> {
    const found = await this.rules.findAndCount({ order: { id: 'ASC' }, ...pageWindow(query) });
    return toPage([found[0].map(toResponse), found[1]], query);
  }

  async get(name: string): Promise<RateLimitResponse> {
    return toResponse(await this.find(this.rules.manager, name));
  }

  async create(dto: CreateRateLimitDto): Promise<RateLimitResponse> {
    return this.written(async (manager) => {
      const tier = await this.attachTo(manager, dto.tierId);
      const path = normalizeRulePath(dto.path);
      const name = dto.name ?? (await this.defaultName(manager, tier, path, dto.period));
      const rule = this.rules.create({ ...dto, name, path });
      return this.save(manager, checkedCounting(rule));
    });
  }

  async update(name: string, dto: UpdateRateLimitDto): Promise<RateLimitResponse> {
    return this.written(async (manager) => {
      const rule = await this.find(manager, name);
      if (dto.tierId !== undefined) await this.attachTo(manager, dto.tierId);
      const path = dto.path === undefined ? rule.path : normalizeRulePath(dto.path);
      return this.save(manager, checkedCounting(this.rules.merge(rule, { ...dto, path })));
    });
  }

  async remove(name: string): Promise<void> {
    await inWriteTransaction(this.rules.manager, async (manager) => {
      const rule = await this.find(manager, name);
      await manager.softDelete(RateLimit, { id: rule.id });
    });
    await this.cache.reloadAfterWrite();
  }

  private async written(
    work: (manager: EntityManager) => Promise<RateLimit>,
  ): Promise<RateLimitResponse> {
    const saved = await inWriteTransaction(this.rules.manager, work).catch((e: unknown) =>
      rethrowDuplicateConflict(e, this.rules.manager),
    );
    await this.cache.reloadAfterWrite();
    return toResponse(saved);
  }

  private save(manager: EntityManager, rule: RateLimit): Promise<RateLimit> {
    return manager.save(rule).catch((e: unknown) => {
      rethrowDuplicate(e, rule);
      return rethrowConflict(e, conflicts(rule));
    });
  }

  /**
   * `{tier}_{path}`, or, when a live rule has that name (another period of the path, most
   * likely), `{tier}_{path}_{period}s`, so that each period of a path gets a name of its own.
   */
  private async defaultName(
    manager: EntityManager,
    tier: Tier,
    path: string,
    period: number,
  ): Promise<string> {
    const name = defaultRuleName(tier.name, path);
    const taken = await manager.exists(RateLimit, { where: { name } });
    return taken ? defaultRuleName(tier.name, `${path}_${period}s`) : name;
  }

  private async find(manager: EntityManager, name: string): Promise<RateLimit> {
    const rule = await manager.findOneBy(RateLimit, { name });
    if (rule === null) throw new NotFoundException(`Rate limit "${name}" not found`);
    return rule;
  }

  /** A rule can only be attached to a live tier, held until the write commits. */
  private async attachTo(manager: EntityManager, id: number): Promise<Tier> {
    const tier = await lockLiveTier(manager, { id }, 'attach');
    if (tier === null) throw new NotFoundException(`Tier ${id} not found`);
    return tier;
  }
}

/** The rule as it would be stored, refused with a 400 naming the field when its burst cannot go. */
function checkedCounting(rule: RateLimit): RateLimit {
  const problem = countingProblem(rule.algorithm ?? 'fixed-window', rule.burst);
  if (problem !== undefined)
    throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: [problem] });
  return rule;
}

function toResponse(rule: RateLimit): RateLimitResponse {
  const { id, name, tierId, path, limit, period, algorithm, burst, mode, createdAt, updatedAt } =
    rule;
  return { id, name, tierId, path, limit, period, algorithm, burst, mode, createdAt, updatedAt };
}
