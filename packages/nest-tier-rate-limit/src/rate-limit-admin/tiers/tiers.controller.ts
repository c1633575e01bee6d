import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { AnswersServiceUnavailable } from '../database-unavailable.interceptor.js';
import { type Page, PaginationQueryDto } from '../pagination.js';
import { StoredNamePipe } from '../stored-name.pipe.js';
import { ValidatesOwnInput } from '../strict-validation.pipe.js';
import { SuperuserWrite } from '../superuser-writes.guard.js';
import { CreateTierDto, TierResponse, UpdateTierDto } from './tier.dto.js';
import { TiersService } from './tiers.service.js';

/** `/tiers`: the plans callers belong to. Reads are public; writes need a superuser. */
@Controller('tiers')
@AnswersServiceUnavailable()
@ValidatesOwnInput()
export class TiersController {
  constructor(private readonly tiers: TiersService) {}

  @Get()
  list(@Query() query: PaginationQueryDto): Promise<Page<TierResponse>> {
    return this.tiers.list(query);
  }

  @Get(':name')
  get(@Param('name', new StoredNamePipe('Tier')) name: string): Promise<TierResponse> {
    return this.tiers.get(name);
  }

  @Post()
  @SuperuserWrite()
  create(@Body() dto: CreateTierDto): Promise<TierResponse> {
    return this.tiers.create(dto);
  }

  @Patch(':name')
  @SuperuserWrite()
  update(
    @Param('name', new StoredNamePipe('Tier')) name: string,
    @Body() dto: UpdateTierDto,
  ): Promise<TierResponse> {
    return this.tiers.update(name, dto);
  }

  @Delete(':name')
  @HttpCode(204)
  @SuperuserWrite()
  remove(@Param('name', new StoredNamePipe('Tier')) name: string): Promise<void> {
    return this.tiers.remove(name);
  }
}
