import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AnswersServiceUnavailable } from '../database-unavailable.interceptor.js';
import { type Page, PaginationQueryDto, pageSchema } from '../pagination.js';
import { StoredNamePipe } from '../stored-name.pipe.js';
import { SuperuserWrite } from '../superuser-writes.guard.js';
import { CreateTierDto, TierResponse, UpdateTierDto } from './tier.dto.js';
import { TiersService } from './tiers.service.js';

/** `/tiers`: the plans callers belong to. Reads are public; writes need a superuser. */
@ApiTags('tiers')
@Controller('tiers')
@AnswersServiceUnavailable()
export class TiersController {
  constructor(private readonly tiers: TiersService) {}

  @Get()
  @ApiOkResponse({ schema: pageSchema(TierResponse) })
  list(@Query() query: PaginationQueryDto): Promise<Page<TierResponse>> {
    return this.tiers.list(query);
  }

  @Get(':name')
  @ApiOkResponse({ type: TierResponse })
  @ApiNotFoundResponse({ description: 'No live tier has this name' })
  get(@Param('name', new StoredNamePipe('Tier')) name: string): Promise<TierResponse> {
    return this.tiers.get(name);
  }

  @Post()
  @SuperuserWrite()
  @ApiCreatedResponse({ type: TierResponse })
  @ApiConflictResponse({ description: 'The name is taken' })
  create(@Body() dto: CreateTierDto): Promise<TierResponse> {
    return this.tiers.create(dto);
  }

  @Patch(':name')
  @SuperuserWrite()
  @ApiOkResponse({ type: TierResponse })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'The new name is taken' })
  update(
    @Param('name', new StoredNamePipe('Tier')) name: string,
    @Body() dto: UpdateTierDto,
  ): Promise<TierResponse> {
    return this.tiers.update(name, dto);
  }

  @Delete(':name')
  @HttpCode(204)
  @SuperuserWrite()
  @ApiNoContentResponse({ description: 'Soft-deleted' })
  @ApiNotFoundResponse()
  @ApiConflictResponse({
    description: 'Live rate limits still use the tier (named in the message)',
  })
  remove(@Param('name', new StoredNamePipe('Tier')) name: string): Promise<void> {
    return this.tiers.remove(name);
  }
}
