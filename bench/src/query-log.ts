import type { Logger } from 'typeorm';

/**
 * A TypeORM logger that counts the queries it sees, grouped by their first words, so that the
 * report can say which queries ran (the rule cache's periodic check) and how many per request.
 */
export class QueryLog implements Logger {
  private readonly counts = new Map<string, number>();

  logQuery(query: string): void {
    const head = query.replace(/\s+/g, ' ').trim().slice(0, 60);
    this.counts.set(head, (this.counts.get(head) ?? 0) + 1);
  }

  /** Queries seen since start-up, by their first 60 characters. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
