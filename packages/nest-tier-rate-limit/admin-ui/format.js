/** A name in quotes, as the API's messages write one. @param {string} name */
export function quoted(name) {
  return `"${name}"`;
}

/** A timestamp in the operator's locale and time zone. @param {string} iso */
export function dateTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/**
 * The fields whose value differs from the record's, for a PATCH that changes only those.
 * @param {Record<string, unknown>} record
 * @param {Record<string, unknown>} values
 */
export function changes(record, values) {
  return Object.fromEntries(
    Object.entries(values).filter(([name, value]) => value !== record[name]),
  );
}

/** Seconds as an operator reads them: `60 s (1 min)`. @param {number} seconds */
export function duration(seconds) {
  if (seconds % 86400 === 0) return `${seconds} s (${seconds / 86400} d)`;
  if (seconds % 3600 === 0) return `${seconds} s (${seconds / 3600} h)`;
  if (seconds % 60 === 0 && seconds >= 60) return `${seconds} s (${seconds / 60} min)`;
  return `${seconds} s`;
}
