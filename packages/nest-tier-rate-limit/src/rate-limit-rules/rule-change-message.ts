/** What one instance tells the others after a rule write: nothing but who wrote, and the result. */
export interface RuleChangeMessage {
  /** The writing instance, so that it can ignore its own message. */
  instance: string;
  /** The rule version it loaded after the write (`readRuleVersion`); for logs only. */
  version?: string;
}

/**
 * The pub/sub channel of the apps sharing `keyPrefix`: two apps on one Redis with different
 * prefixes do not reload each other. Channels ignore the database index, so the prefix is all.
 * @example ruleChangeChannel('ratelimit') // 'ratelimit:rules'
 */
export function ruleChangeChannel(keyPrefix: string): string {
  return `${keyPrefix}:rules`;
}

/** The message as published. */
export function encodeRuleChange(message: RuleChangeMessage): string {
  return JSON.stringify(message);
}

/** The instance that sent `text`, or `undefined` when it is not a rule-change message. */
export function ruleChangeSender(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    const instance = (parsed as Partial<RuleChangeMessage> | null)?.instance;
    return typeof instance === 'string' ? instance : undefined;
  } catch {
    return undefined;
  }
}
