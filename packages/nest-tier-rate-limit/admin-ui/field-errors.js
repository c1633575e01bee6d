/**
 * Sorts the API's 400 messages by the field they name: class-validator starts each with the
 * property (`limit must be …`), an unknown one reads `property x should not exist`.
 * @param {string[]} messages
 * @param {string[]} fields the form's field names
 * @returns {{ byField: Map<string, string[]>, rest: string[] }}
 */
export function fieldErrors(messages, fields) {
  const byField = new Map();
  const rest = [];
  for (const message of messages) {
    const unknown = /^property (\S+) should not exist/.exec(message);
    const name = unknown
      ? unknown[1]
      : fields.find((field) => message === field || message.startsWith(`${field} `));
    if (name !== undefined && fields.includes(name)) {
      byField.set(name, [...(byField.get(name) ?? []), message]);
    } else {
      rest.push(message);
    }
  }
  return { byField, rest };
}
