import { NotFoundException, type PipeTransform } from '@nestjs/common';

/**
 * Puts a `{name}` route parameter in Unicode NFC, as names are stored, so that `é` and `e\u0301`
 * find the same record. A name no row can have (PostgreSQL text cannot hold NUL) is a 404 at
 * once, rather than a database error.
 */
export class StoredNamePipe implements PipeTransform<string, string> {
  /** @param resource how the 404 names the resource (`Rate limit`, `Tier`) */
  constructor(private readonly resource: string) {}

  transform(name: string): string {
    if (name.includes('\u0000'))
      throw new NotFoundException(`${this.resource} "${name}" not found`);
    return name.normalize('NFC');
  }
}
