import { table } from './format.js';
import type { ProfileSummary } from './profile.js';
import type { BenchResults } from './results.js';

/** What each variant does per request, as read from its source: needed to read the tables. */
const VARIANT_NOTES = [
  '- **Keys**: every variant keys on the `x-caller-id` header plus the route. Ours: ' +
    '`ratelimit:{user:{caller}}:api_v1_widgets_1#GET@api_v1_widgets_{id}` (66 characters for ' +
    '`caller-0`: the caller kind and the route keep counters apart, the braces a Redis Cluster hash tag; 34 more than ' +
    "rate-limiter-flexible's key, which is why it sends as few bytes per check as ours, or 10 fewer on a refusal); " +
    '`@nestjs/throttler`: SHA-256 of class, handler, ' +
    'throttler name and tracker (its `getTracker` overridden to return the header); ' +
    '`rate-limiter-flexible`: `{caller}:/api/v1/widgets/1` in a guard of ~40 lines ' +
    '(`bench/src/variants/rlf.guard.ts`).',
  '- **Headers**: ours and the rate-limiter-flexible guard write `X-RateLimit-Limit`, ' +
    '`-Remaining`, `-Reset` on every response and `Retry-After` on a 429. `@nestjs/throttler` writes ' +
    'the three `X-RateLimit-*` on allowed responses and only `Retry-After` on a 429.',
  '- **Algorithms**: ours, `rate-limiter-flexible` and the nest-lab Redis storage count fixed ' +
    "windows. `@nestjs/throttler`'s default storage keeps one expiry timestamp per hit and filters " +
    'that array on every request (a sliding log): with a high limit its cost grows with the hits ' +
    'in the last `ttl` — here up to one measured window of them, since each run starts a fresh ' +
    'process; a long-lived process at the same rate would hold a full minute of hits per caller.',
  '- **Round trips**: ours on Redis runs one script by SHA (`EVALSHA`); nest-lab sends the whole ' +
    'script with `EVAL` each time; `RateLimiterRedis` runs its script by SHA. On Memcached ours ' +
    'does `incr` (plus `add` when a window opens); `RateLimiterMemcache` does `incr` then `get` of ' +
    'a second key holding the expiry (`add` of both when a window opens).',
  '- **Reference variants**: `floor` is an async guard that writes three constant headers and ' +
    'counts nothing — no key, no store, no rule: what any Nest guard writing these headers costs, ' +
    'so no limiter can beat its ratio except by noise; `floor-inputs` is `floor` after reading ' +
    'the caller header and the URL into a key. `rlf-redis-pipelined` is `rlf-redis` with ' +
    'ioredis auto-pipelining switched on, the setting this project had until bench:micro showed ' +
    'that writing each check at once is faster at every concurrency it measured.',
  '- **Failure policy**: ours fails open by default; the rate-limiter-flexible guard lets a ' +
    'request through on a store error too; no store failed during these runs.',
];

/** The report's closing notes, with the CPU profiles when the run took them. */
export function notes(results: BenchResults): string[] {
  return ['## Notes', '', ...VARIANT_NOTES, '', ...results.profiles.flatMap(profileSection)];
}

function profileSection(profile: ProfileSummary): string[] {
  const rows = (entries: [string, number][]) =>
    entries.map(([name, share]) => [`\`${name}\``, `${share.toFixed(1)} %`]);
  return [
    `### CPU profile: \`${profile.variant}\`, allow`,
    '',
    `\`node --cpu-prof\` on the app process (start-up included), ${(profile.busyMs / 1000).toFixed(1)} s busy. Shares of busy time.`,
    '',
    table(['self time by package', 'share'], rows(profile.byPackage)),
    '',
    table(["this project's functions, callees included", 'share'], rows(profile.projectInclusive)),
    '',
    table(['functions by self time', 'share'], rows(profile.topSelf)),
    '',
  ];
}
