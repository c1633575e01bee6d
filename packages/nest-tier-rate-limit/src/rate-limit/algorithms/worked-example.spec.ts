import { resolveRateLimitOptions } from '../rate-limit-options.resolve.js';
import type { RateLimitDecision } from '../rate-limit-decision.js';
import { RateLimitService } from '../rate-limit.service.js';
import { MemoryRateLimitStore } from '../stores/memory-rate-limit.store.js';
import type { RateLimitCounting } from './rate-limit-algorithm.js';

// The README's worked example ("Counting algorithms"), as the headers would read: limit 2 per
// 60 s, three requests at once, then one a second later.

/** What the headers say of a decision. */
const read = (d: RateLimitDecision) =>
  d.allowed
    ? `200, remaining ${d.remaining}, reset ${d.resetSeconds}`
    : `429, retry ${d.retryAfterSeconds}`;

async function example(counting: RateLimitCounting, start: number): Promise<string[]> {
  let now = start;
  const clock = { now: () => now };
  const service = new RateLimitService(
    new MemoryRateLimitStore({ clock }),
    resolveRateLimitOptions({ clock }),
  );
  const check = { key: 'k', limit: 2, period: 60, ...counting };
  const seen = [];
  for (let i = 0; i < 3; i += 1) seen.push(read(await service.incrementAndCheck(check)));
  now += 1000;
  seen.push(read(await service.incrementAndCheck(check)));
  return seen;
}

// A sub-window of the sliding window starts here (a multiple of 6 s): the longest its values get.
const START = 1_795_000_002_000;

describe('the README worked example', () => {
  it.each([
    [
      {},
      [
        '200, remaining 1, reset 60',
        '200, remaining 0, reset 60',
        '429, retry 60',
        '429, retry 59',
      ],
    ],
    [
      { algorithm: 'sliding-window' },
      [
        '200, remaining 1, reset 66',
        '200, remaining 0, reset 66',
        '429, retry 66',
        '429, retry 65',
      ],
    ],
    [
      { algorithm: 'gcra' },
      [
        '200, remaining 1, reset 30',
        '200, remaining 0, reset 60',
        '429, retry 30',
        '429, retry 29',
      ],
    ],
    [
      { algorithm: 'gcra', burst: 1 },
      ['200, remaining 0, reset 30', '429, retry 30', '429, retry 30', '429, retry 29'],
    ],
  ] as [RateLimitCounting, string[]][])('%j', async (counting, expected) => {
    expect(START % 6000).toBe(0);
    expect(await example(counting, START)).toEqual(expected);
  });

  it('sliding window: 61 s of reset at the end of a sub-window, 66 at its start', async () => {
    const late = await example({ algorithm: 'sliding-window' }, START + 5999);
    expect(late[0]).toBe('200, remaining 1, reset 61');
  });
});
