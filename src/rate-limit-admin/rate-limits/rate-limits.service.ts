import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { RateLimit, RateLimitRuleCache, Tier } from '../../rate-limit-rules/index.js';
import { rethrowConflict } from '../conflicts.js';
import { type Page, type PaginationQueryDto, pageWindow, toPage } from '../pagination.js';
import { normalizeRulePath } from '../rule-path.js';
import { defaultRuleName } from './default-rule-name.js';
import type {
  CreateRateLimitDto,
  RateLimitResponse,
  UpdateRateLimitDto,
} from './rate-limit.dto.js';

const conflicts = ({ name, tierId, path }: RateLimit) => ({
  UQ_rate_limits_name_live: `Rate limit name "${name}" is taken`,
  UQ_rate_limits_tier_path_live: `Tier ${tierId} already has a live rate limit for path ${path}`,
});

/** Rules: reads for anyone; writes check the tier, store sanitized paths, reload the cache. */
@Injectable()
export class RateLimitsService {
  constructor(
    @InjectRepository(RateLimit) private readonly rules: Repository<RateLimit>,
    @InjectRepository(Tier) private readonly tiers: Repository<Tier>,
    private readonly cache: RateLimitRuleCache,
  ) {}

  async list(query: PaginationQueryDto): Promise<Page<RateLimitResponse>> {
    const found = await this.rules.findAndCount({ order: { id: 'ASC' }, ...pageWindow(query) });
    return toPage([found[0].map(toResponse), found[1]], query);
  }

  async get(name: string): Promise<RateLimitResponse> {
    return toResponse(await this.find(name));
  }

  async create(dto: CreateRateLimitDto): Promise<RateLimitResponse> {
    const tier = await this.liveTier(dto.tierId);
    const path = normalizeRulePath(dto.path);
    const name = dto.name ?? defaultRuleName(tier.name, path);
    return this.save(this.rules.create({ ...dto, name, path }));
  }

  async update(name: string, dto: UpdateRateLimitDto): Promise<RateLimitResponse> {
    const rule = await this.find(name);
    if (dto.tierId !== undefined) await this.liveTier(dto.tierId);
    const path = dto.path === undefined ? rule.path : normalizeRulePath(dto.path);
    return this.save(this.rules.merge(rule, { ...dto, path }));
  }

  async remove(name: string): Promise<void> {
    const rule = await this.find(name);
    await this.rules.softDelete({ id: rule.id });
    await this.cache.reloadAfterWrite();
  }

  private async save(rule: RateLimit): Promise<RateLimitResponse> {
    const saved = await this.rules
      .save(rule)
      .catch((e: unknown) => rethrowConflict(e, conflicts(rule)));
    await this.cache.reloadAfterWrite();
    return toResponse(saved);
  }

  private async find(name: string): Promise<RateLimit> {
    const rule = await this.rules.findOneBy({ name });
    if (rule === null) throw new NotFoundException(`Rate limit "${name}" not found`);
    return rule;
  }

  /** A rule can only be attached to a live tier. */
  private async liveTier(id: number): Promise<Tier> {
    const tier = await this.tiers.findOneBy({ id });
    if (tier === null) throw new NotFoundException(`Tier ${id} not found`);
    return tier;
  }
}

function toResponse(rule: RateLimit): RateLimitResponse {
  const { id, name, tierId, path, limit, period, createdAt, updatedAt } = rule;
  return { id, name, tierId, path, limit, period, createdAt, updatedAt };
}
