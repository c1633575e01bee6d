import { BackendFailureLog } from '../rate-limit/backend-failure-log.js';
import { closeRedis, type RedisConnection } from '../rate-limit/stores/redis-connection.js';
import { ruleChangeSender } from './rule-change-message.js';

/** What the log says still works while the subscriber does not. */
const FALLBACK = 'rule changes made elsewhere arrive by the periodic check';

/**
 * Listens on the rule-change channel over a connection of its own, and calls `onChange` for each
 * message another instance sent, and after each (re)subscription, since messages sent while it
 * was away are lost. Never throws: failures are logged, and the connection reconnects by itself
 * (with its own `retryStrategy`) and subscribes again.
 */
export class RuleChangeSubscriber {
  private readonly failures = new BackendFailureLog('rule-change subscriber');
  private closed = false;

  /**
   * @param connection a connection for this subscriber alone, made with `autoResubscribe: false`
   * @param instance the id of this instance, whose own messages are ignored
   */
  constructor(
    private readonly connection: RedisConnection,
    private readonly channel: string,
    private readonly instance: string,
    private readonly onChange: () => void,
  ) {
    connection.on('error', (error: unknown) => this.failures.failure(error, FALLBACK));
    connection.on('ready', () => void this.subscribe());
    connection.on('message', (from: string, text: string) => this.receive(from, text));
  }

  /** Unsubscribes and closes the connection; it does not reconnect. */
  close(): Promise<void> {
    this.closed = true;
    return closeRedis(this.connection);
  }

  private async subscribe(): Promise<void> {
    try {
      await this.connection.subscribe(this.channel);
      this.failures.success();
      this.onChange();
    } catch (error) {
      this.failures.failure(error, FALLBACK);
      // A connection left up but unsubscribed would never try again: reconnecting does.
      if (!this.closed) this.connection.disconnect(true);
    }
  }

  private receive(channel: string, text: string): void {
    // Closed: the app is shutting down and its database may be gone.
    if (this.closed || channel !== this.channel) return;
    if (ruleChangeSender(text) !== this.instance) this.onChange();
  }
}
