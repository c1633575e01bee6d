import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Highest page number accepted: keeps the row offset well inside PostgreSQL's bigint. */
export const MAX_PAGE = 1_000_000;

/** Most items a page holds. */
export const MAX_ITEMS_PER_PAGE = 100;

/** `?page=1&itemsPerPage=10` of the list routes. */
export class PaginationQueryDto {
  /** 1-based page number. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page: number = 1;

  /** Items per page, 1–{@link MAX_ITEMS_PER_PAGE}. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ITEMS_PER_PAGE)
  itemsPerPage: number = 10;
}

/** One page of a list, sorted by id. */
export interface Page<T> {
  data: T[];
  totalCount: number;
  hasMore: boolean;
  page: number;
  itemsPerPage: number;
}

/** Builds a page from a `findAndCount` result. */
export function toPage<T>(
  [data, totalCount]: [T[], number],
  { page, itemsPerPage }: PaginationQueryDto,
): Page<T> {
  return { data, totalCount, hasMore: page * itemsPerPage < totalCount, page, itemsPerPage };
}

/** `skip`/`take` of a page, for TypeORM. */
export function pageWindow({ page, itemsPerPage }: PaginationQueryDto) {
  return { skip: (page - 1) * itemsPerPage, take: itemsPerPage };
}
