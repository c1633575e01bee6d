import type { DataSource } from 'typeorm';

// Any write changes one of these: an insert the count, an update updated_at, a soft delete
// deleted_at, a hard delete the count. One cheap query, whatever the size of the tables.
const VERSION_SQL = `
  SELECT (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '') || '/' ||
                 coalesce(max(deleted_at)::text, '') FROM rate_limits)
      || '|' ||
         (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '') || '/' ||
                 coalesce(max(deleted_at)::text, '') FROM tiers) AS version`;

/** A signature of the rules and tiers tables that changes whenever either does. */
export async function readRuleVersion(dataSource: DataSource): Promise<string> {
  const rows: { version: string }[] = await dataSource.query(VERSION_SQL);
  return rows[0].version;
}
