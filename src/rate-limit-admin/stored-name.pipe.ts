import { NotFoundException, type PipeTransform } from '@nestjs/common';

/**
 * Passes a `{name}` route parameter through, except one no row can have (PostgreSQL text cannot
 * hold NUL): that is a 404 at once, rather than a database error.
 */
export class StoredNamePipe implements PipeTransform<string, string> {
  /** @param resource how the 404 names the resource (`Rate limit`, `Tier`) */
  constructor(private readonly resource: string) {}

  transform(name: string): string {
    if (name.includes('\u0000'))
      throw new NotFoundException(`${this.resource} "${name}" not found`);
    return name;
  }
}
