import { Redis } from 'ioredis';

/** One command's line of `INFO commandstats`. */
export interface CommandStat {
  calls: number;
  /** Server CPU time in the command, µs (a script's includes the commands it runs). */
  usec: number;
}

/** The Redis counters a backend-cost pass reads. */
export interface RedisStats {
  /** By command name as Redis reports it (`evalsha`, `config|resetstat`…). */
  commands: Record<string, CommandStat>;
  /** `total_net_input_bytes`: bytes Redis read from all clients. */
  netInput: number;
  /** `total_net_output_bytes`: bytes Redis wrote to all clients. */
  netOutput: number;
}

/** Reads and resets the counters of a Redis, on a connection of its own. */
export interface RedisStatsReader {
  /** `CONFIG RESETSTAT`. */
  reset(): Promise<void>;
  /** `INFO commandstats stats`. */
  read(): Promise<RedisStats>;
  close(): Promise<void>;
}

const COMMAND_LINE = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/;

function parseInfo(text: string): RedisStats {
  const stats: RedisStats = { commands: {}, netInput: Number.NaN, netOutput: Number.NaN };
  for (const line of text.split('\r\n')) {
    const command = COMMAND_LINE.exec(line);
    if (command !== null) stats.commands[command[1]] = { calls: +command[2], usec: +command[3] };
    const [name, value] = line.split(':');
    if (name === 'total_net_input_bytes') stats.netInput = Number(value);
    if (name === 'total_net_output_bytes') stats.netOutput = Number(value);
  }
  return stats;
}

/** Connects a second client (not any variant's) to the Redis at `port`. */
export async function openRedisStats(port: number): Promise<RedisStatsReader> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
  await client.connect();
  return {
    reset: async () => void (await client.call('CONFIG', 'RESETSTAT')),
    read: async () => parseInfo(String(await client.call('INFO', 'commandstats', 'stats'))),
    close: async () => void (await client.quit()),
  };
}
