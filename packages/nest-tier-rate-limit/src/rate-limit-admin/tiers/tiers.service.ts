import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { RateLimit, RateLimitRuleCache, Tier } from '../../rate-limit-rules/index.js';
import { rethrowConflict } from '../conflicts.js';
import { type Page, type PaginationQueryDto, pageWindow, toPage } from '../pagination.js';
import { lockLiveTier } from '../tier-lock.js';
import { inWriteTransaction } from '../write-transaction.js';
import type { CreateTierDto, TierResponse, UpdateTierDto } from './tier.dto.js';

const conflicts = (name: string) => ({ UQ_tiers_name_live: `Tier name "${name}" is taken` });

/**
 * Tiers: reads for anyone; each write is one transaction that holds the tier row, so it is
 * serialized with the rule writes attaching to it, and reloads the rule cache once committed.
 */
@Injectable()
export class TiersService {
  constructor(
    @InjectRepository(Tier) private readonly tiers: Repository<Tier>,
    private readonly cache: RateLimitRuleCache,
  ) {}

  async list(query: PaginationQueryDto): Promise<Page<TierResponse>> {
    const found = await this.tiers.findAndCount({ order: { id: 'ASC' }, ...pageWindow(query) });
    return toPage([found[0].map(toResponse), found[1]], query);
  }

  async get(name: string): Promise<TierResponse> {
    const tier = await this.tiers.findOneBy({ name });
    if (tier === null) throw notFound(name);
    return toResponse(tier);
  }

  async create(dto: CreateTierDto): Promise<TierResponse> {
    const tier = this.tiers.create({ name: dto.name, description: dto.description ?? null });
    return this.written((manager) =>
      manager.save(tier).catch((e: unknown) => rethrowConflict(e, conflicts(dto.name))),
    );
  }

  async update(name: string, dto: UpdateTierDto): Promise<TierResponse> {
    return this.written(async (manager) => {
      const tier = this.tiers.merge(await this.lockLive(manager, name), dto);
      return manager.save(tier).catch((e: unknown) => rethrowConflict(e, conflicts(tier.name)));
    });
  }

  /**
   * Soft-deletes a tier that no live rule uses. Its row stays locked from the check to the
   * commit: a rule write for it waits, then finds it deleted; one that came first is seen here.
   */
  async remove(name: string): Promise<void> {
    await inWriteTransaction(this.tiers.manager, async (manager) => {
      const tier = await this.lockLive(manager, name);
      const users = await manager.find(RateLimit, {
        where: { tierId: tier.id },
        select: { name: true },
        order: { id: 'ASC' },
      });
      if (users.length > 0) {
        const names = users.map((rule) => rule.name).join(', ');
        throw new ConflictException(`Tier "${name}" is used by live rate limits: ${names}`);
      }
      await manager.softDelete(Tier, { id: tier.id });
    });
    await this.cache.reloadAfterWrite();
  }

  private async written(work: (manager: EntityManager) => Promise<Tier>): Promise<TierResponse> {
    const saved = await inWriteTransaction(this.tiers.manager, work);
    await this.cache.reloadAfterWrite();
    return toResponse(saved);
  }

  private async lockLive(manager: EntityManager, name: string): Promise<Tier> {
    const tier = await lockLiveTier(manager, { name }, 'change');
    if (tier === null) throw notFound(name);
    return tier;
  }
}

const notFound = (name: string) => new NotFoundException(`Tier "${name}" not found`);

function toResponse({ id, name, description, createdAt, updatedAt }: Tier): TierResponse {
  return { id, name, description, createdAt, updatedAt };
}
