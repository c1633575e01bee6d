import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { RateLimit, RateLimitRuleCache, Tier } from '../../rate-limit-rules/index.js';
import { rethrowConflict } from '../conflicts.js';
import { type Page, type PaginationQueryDto, pageWindow, toPage } from '../pagination.js';
import type { CreateTierDto, TierResponse, UpdateTierDto } from './tier.dto.js';

const conflicts = (name: string) => ({ UQ_tiers_name_live: `Tier name "${name}" is taken` });

/** Tiers: reads for anyone, writes reload the rule cache. */
@Injectable()
export class TiersService {
  constructor(
    @InjectRepository(Tier) private readonly tiers: Repository<Tier>,
    @InjectRepository(RateLimit) private readonly rules: Repository<RateLimit>,
    private readonly cache: RateLimitRuleCache,
  ) {}

  async list(query: PaginationQueryDto): Promise<Page<TierResponse>> {
    const found = await this.tiers.findAndCount({ order: { id: 'ASC' }, ...pageWindow(query) });
    return toPage([found[0].map(toResponse), found[1]], query);
  }

  async get(name: string): Promise<TierResponse> {
    return toResponse(await this.find(name));
  }

  async create(dto: CreateTierDto): Promise<TierResponse> {
    const tier = this.tiers.create({ name: dto.name, description: dto.description ?? null });
    const saved = await this.tiers
      .save(tier)
      .catch((e: unknown) => rethrowConflict(e, conflicts(dto.name)));
    await this.cache.reloadAfterWrite();
    return toResponse(saved);
  }

  async update(name: string, dto: UpdateTierDto): Promise<TierResponse> {
    const tier = this.tiers.merge(await this.find(name), dto);
    const saved = await this.tiers
      .save(tier)
      .catch((e: unknown) => rethrowConflict(e, conflicts(tier.name)));
    await this.cache.reloadAfterWrite();
    return toResponse(saved);
  }

  /** Soft-deletes a tier that no live rule uses. */
  async remove(name: string): Promise<void> {
    const tier = await this.find(name);
    const users = await this.rules.find({
      where: { tierId: tier.id },
      select: { name: true },
      order: { id: 'ASC' },
    });
    if (users.length > 0) {
      const names = users.map((rule) => rule.name).join(', ');
      throw new ConflictException(`Tier "${name}" is used by live rate limits: ${names}`);
    }
    await this.tiers.softDelete({ id: tier.id });
    await this.cache.reloadAfterWrite();
  }

  private async find(name: string): Promise<Tier> {
    const tier = await this.tiers.findOneBy({ name });
    if (tier === null) throw new NotFoundException(`Tier "${name}" not found`);
    return tier;
  }
}

function toResponse({ id, name, description, createdAt, updatedAt }: Tier): TierResponse {
  return { id, name, description, createdAt, updatedAt };
}
