import { count, perCheck } from '../format.js';
import { GUARDED_PATH } from '../scenarios.js';
import { type TargetVerdict, verdict } from '../verdict.js';
import type { RedisPerCheck } from './backend-summary.js';

/** Median µs per check of the passes, and their range. */
const usecOf = (cost: RedisPerCheck) =>
  `${cost.serverUsec.toFixed(2)} [${cost.range[0].toFixed(2)}–${cost.range[1].toFixed(2)}]`;

/** The Redis targets, from the server's own counters: round trips, µs and bytes per check. */
export function redisTargets(redis: RedisPerCheck[]): TargetVerdict[] {
  const ours = redis.filter((cost) => cost.variant === 'ours-redis');
  const peers = (scenario: string) =>
    redis.filter((cost) => cost.scenario === scenario && cost.variant !== 'ours-redis');
  const roundTrips = ours.map((cost) => `${perCheck(cost.roundTrips)} (${cost.scenario})`);
  const usec = ours.map((cost) => {
    const rlf = peers(cost.scenario).find((peer) => peer.variant === 'rlf-redis');
    return { cost, rlf, met: rlf === undefined ? undefined : cost.serverUsec <= rlf.serverUsec };
  });
  const bytes = ours.map((cost) => {
    const others = peers(cost.scenario);
    const lowest = Math.min(...others.map((peer) => peer.bytesIn));
    const text = others.map((peer) => `${peer.variant} ${count(peer.bytesIn)}`).join(', ');
    return { cost, met: others.length === 0 ? undefined : cost.bytesIn < lowest, text };
  });
  const some = <T extends { met: boolean | undefined }>(items: T[]) =>
    items.every((item) => item.met === undefined)
      ? undefined
      : items.every((item) => item.met !== false);
  return [
    verdict(
      'Redis: at most 1 round trip per check (ours-redis; a refusal the local deny cache answers takes none)',
      ours.length === 0
        ? undefined
        : ours.every((cost) =>
            cost.scenario === 'deny'
              ? cost.roundTrips < 1.005
              : Math.abs(cost.roundTrips - 1) < 0.005,
          ),
      ours.length === 0 ? 'not measured.' : `Client commands per check: ${roundTrips.join(', ')}.`,
    ),
    verdict(
      'Redis: server µs per check ≤ rlf-redis (medians of the passes [range])',
      some(usec),
      usec
        .map(
          ({ cost, rlf }) =>
            `${cost.scenario}: ${usecOf(cost)} vs ${rlf === undefined ? '–' : usecOf(rlf)}`,
        )
        .join('; ') + '.',
    ),
    verdict(
      'Redis: bytes in per check the lowest',
      some(bytes),
      bytes
        .map(({ cost, text }) => `${cost.scenario}: ours ${count(cost.bytesIn)} vs ${text}`)
        .join('; ') +
        '.' +
        (some(bytes) === false ? keyNote(redis) : ''),
    ),
  ];
}

// The keys of one caller in allow and deny: ours (the caller kind and the route keep counters
// apart) and rate-limiter-flexible's guard (the raw path: `/API/v1/widgets/1` counts apart).
const OURS_KEY = 'ratelimit:{user:caller-0}:api_v1_widgets_1#GET@api_v1_widgets_{id}';
const RLF_KEY = `rlflx:caller-0:${GUARDED_PATH}`;

/** What ours and rlf-redis send besides their keys, which are most of the difference. */
function keyNote(redis: RedisPerCheck[]): string {
  const rest = (variant: string, key: string) =>
    ['allow', 'deny'].flatMap((scenario) => {
      const cost = redis.find((c) => c.variant === variant && c.scenario === scenario);
      return cost === undefined ? [] : [`${count(cost.bytesIn - key.length)} (${scenario})`];
    });
  return (
    ` Ours sends \`${OURS_KEY}\` (${OURS_KEY.length} characters: the caller kind and the route ` +
    `keep counters apart, so no id reads as an address and no route shares another's counter), ` +
    `rate-limiter-flexible's guard \`${RLF_KEY}\` (${RLF_KEY.length}, on the raw path, so ` +
    `\`/API/v1/widgets/1\` gets a counter of its own). Besides the key, ours sends ` +
    `${rest('ours-redis', OURS_KEY).join(', ')} bytes per check, rlf-redis ` +
    `${rest('rlf-redis', RLF_KEY).join(', ')}.`
  );
}
