import type { Logger } from 'typeorm';

/** A TypeORM logger that only counts the queries it sees, to prove where none are made. */
export class QueryCounter implements Logger {
  /** Every query since construction or the last {@link reset}. */
  readonly queries: string[] = [];

  logQuery(query: string): void {
    this.queries.push(query);
  }

  reset(): void {
    this.queries.length = 0;
  }

  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
