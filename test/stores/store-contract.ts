import { randomUUID } from 'node:crypto';
import type { RateLimitAlgorithm } from '../../packages/nest-tier-rate-limit/src/rate-limit/algorithms/rate-limit-algorithm.js';
import type {
  RateLimitHit,
  RateLimitPolicyCheck,
  RateLimitStore,
} from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/rate-limit-store.js';

/** How a contract run gets and disposes of a store for one backend. */
export interface StoreFixture {
  /** A store connected to a live backend. */
  create(): Promise<RateLimitStore>;
  /** Releases what `create` made (connections, clients). */
  destroy(store: RateLimitStore): Promise<void>;
  /**
   * A store pointed at a backend that accepts connections and never answers, with its timeout set
   * to `timeoutMs`; absent for stores with no backend to hang.
   */
  createHung?(timeoutMs: number): Promise<{ store: RateLimitStore; dispose(): Promise<void> }>;
  /** Whether `resetPattern` is supported. */
  supportsResetPattern: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The behaviour every {@link RateLimitStore} promises, run against a real backend.
 * Each test uses its own random key prefix so runs never see each other's counters.
 */
export function describeStoreContract(name: string, fixture: StoreFixture): void {
  describe(`${name} store contract`, () => {
    let store: RateLimitStore;
    let prefix: string;

    beforeAll(async () => {
      store = await fixture.create();
    });
    afterAll(async () => {
      await fixture.destroy(store);
    });
    beforeEach(() => {
      prefix = `ratelimit:test-${randomUUID()}`;
    });

    it('counts requests and limits past the limit', async () => {
      const key = `${prefix}:count`;
      const hits = [];
      for (let i = 0; i < 4; i += 1) hits.push(await store.incrementAndCheck(key, 3, 60));
      expect(hits.map((h) => h.count)).toEqual([1, 2, 3, 4]);
      expect(hits.map((h) => h.limited)).toEqual([false, false, false, true]);
      expect(hits.map((h) => h.remaining)).toEqual([2, 1, 0, 0]);
      expect(hits[0].retryAfterMs).toBe(0);
      expect(hits[3].retryAfterMs).toBeGreaterThan(0);
    });

    it('reports the time to reset of the live window, not the period', async () => {
      const key = `${prefix}:reset-time`;
      const first = await store.incrementAndCheck(key, 5, 30);
      expect(first.resetMs).toBeGreaterThan(28_000);
      expect(first.resetMs).toBeLessThanOrEqual(30_000);
      await sleep(1100);
      const second = await store.incrementAndCheck(key, 5, 30);
      expect(second.resetMs).toBeLessThanOrEqual(first.resetMs - 1000 + 50);
      expect(second.resetMs).toBeGreaterThan(first.resetMs - 2500);
    });

    it('starts a new window once the period has passed', async () => {
      const key = `${prefix}:expiry`;
      await store.incrementAndCheck(key, 1, 1);
      expect((await store.incrementAndCheck(key, 1, 1)).limited).toBe(true);
      await sleep(2100);
      const next = await store.incrementAndCheck(key, 1, 1);
      expect(next).toMatchObject({ count: 1, limited: false });
    });

    it('reads and resets the live counter', async () => {
      const key = `${prefix}:live`;
      expect(await store.getCount(key)).toBe(0);
      await store.incrementAndCheck(key, 10, 60);
      await store.incrementAndCheck(key, 10, 60);
      expect(await store.getCount(key)).toBe(2);
      await store.reset(key);
      expect(await store.getCount(key)).toBe(0);
      expect((await store.incrementAndCheck(key, 10, 60)).count).toBe(1);
    });

    it('lets exactly the limit through among 200 parallel checks', async () => {
      const key = `${prefix}:parallel`;
      const hits = await Promise.all(
        Array.from({ length: 200 }, () => store.incrementAndCheck(key, 50, 60)),
      );
      expect(hits.filter((h) => !h.limited)).toHaveLength(50);
      expect(new Set(hits.map((h) => h.count)).size).toBe(200);
      expect(await store.getCount(key)).toBe(200);
    });

    if (fixture.supportsResetPattern) {
      it('resets every counter matching a pattern and no other', async () => {
        await store.incrementAndCheck(`${prefix}:a:x`, 5, 60);
        await store.incrementAndCheck(`${prefix}:a:y`, 5, 60);
        await store.incrementAndCheck(`${prefix}:b:x`, 5, 60);
        expect(await store.resetPattern(`${prefix}:a:*`)).toBe(2);
        expect(await store.getCount(`${prefix}:a:x`)).toBe(0);
        expect(await store.getCount(`${prefix}:b:x`)).toBe(1);
      });
    } else {
      it('refuses resetPattern with a clear error', async () => {
        await expect(store.resetPattern(`${prefix}:*`)).rejects.toThrow(/cannot/);
      });
    }

    describe.each(['sliding-window', 'gcra'] as const)('counting with %s', (algorithm) => {
      it('lets the limit through, then refuses without counting the refusal', async () => {
        const key = `${prefix}:${algorithm}`;
        const hits = [];
        for (let i = 0; i < 4; i += 1)
          hits.push(await store.incrementAndCheck(key, 3, 60, { algorithm }));
        expect(hits.map((h) => h.limited)).toEqual([false, false, false, true]);
        expect(hits.map((h) => h.remaining)).toEqual([2, 1, 0, 0]);
        expect(hits.map((h) => h.count)).toEqual([1, 2, 3, 3]);
        expect(hits[0].retryAfterMs).toBe(0);
        // GCRA: the next of 3 per 60 s is due in 20 s; the sliding window: when the first leaves.
        expect(hits[3].retryAfterMs).toBeGreaterThan(algorithm === 'gcra' ? 19_000 : 59_000);
        expect(hits[3].retryAfterMs).toBeLessThanOrEqual(algorithm === 'gcra' ? 20_000 : 66_000);
      });

      it('lets exactly the limit through among 200 parallel checks', async () => {
        const key = `${prefix}:${algorithm}-parallel`;
        const hits = await Promise.all(
          Array.from({ length: 200 }, () => store.incrementAndCheck(key, 50, 60, { algorithm })),
        );
        expect(hits.filter((h) => !h.limited)).toHaveLength(50);
      });

      it('starts afresh on a key last counted with another algorithm', async () => {
        const key = `${prefix}:${algorithm}-switch`;
        for (let i = 0; i < 2; i += 1) await store.incrementAndCheck(key, 1, 60);
        expect(await store.incrementAndCheck(key, 1, 60, { algorithm })).toMatchObject({
          limited: false,
          count: 1,
        });
        expect(await store.incrementAndCheck(key, 1, 60)).toMatchObject({
          limited: false,
          count: 1,
        });
      });
    });

    it('lets a GCRA burst through at once, then one request per interval', async () => {
      const key = `${prefix}:gcra-burst`;
      const hits = [];
      for (let i = 0; i < 3; i += 1)
        hits.push(await store.incrementAndCheck(key, 10, 60, { algorithm: 'gcra', burst: 2 }));
      expect(hits.map((h) => h.limited)).toEqual([false, false, true]);
      expect(hits[2].retryAfterMs).toBeGreaterThan(5_000);
      expect(hits[2].retryAfterMs).toBeLessThanOrEqual(6_000);
    });

    const { createHung } = fixture;
    if (createHung !== undefined) {
      it('surfaces a backend that never answers as an error within the timeout', async () => {
        const hung = await createHung(150);
        try {
          const started = Date.now();
          await expect(hung.store.incrementAndCheck(`${prefix}:hung`, 5, 60)).rejects.toThrow();
          expect(Date.now() - started).toBeLessThan(1000);
        } finally {
          await hung.dispose();
        }
      });
    }

    describe('several policies at once', () => {
      const policies = (tag: string, algorithm: RateLimitAlgorithm = 'fixed-window') => [
        { key: `${prefix}:{${tag}}:burst`, limit: 2, period: 60, algorithm },
        { key: `${prefix}:{${tag}}:hour`, limit: 1000, period: 3600 },
      ];
      const counted = async (key: string) => {
        const [hit] = await store.countPolicies([{ key, limit: 1000, period: 3600 }], 1, true);
        return 1000 - hit.remaining - 1;
      };

      it.each(['fixed-window', 'sliding-window', 'gcra'] as const)(
        'counts a request refused by a %s window on none of them',
        async (algorithm) => {
          const both = policies('refusal', algorithm);
          const answers = [];
          for (let i = 0; i < 6; i += 1) answers.push(await store.countPolicies(both, 1, false));
          expect(answers.map((hits) => hits.some((hit) => hit.limited))).toEqual([
            false,
            false,
            true,
            true,
            true,
            true,
          ]);
          expect(answers[2].map((hit) => hit.limited)).toEqual([true, false]);
          expect(await counted(both[1].key)).toBe(2);
        },
      );

      it('charges the cost on each policy, and a refused cost leaves the rest', async () => {
        const [burst, hour] = policies('cost');
        const first = await store.countPolicies([{ ...burst, limit: 7 }, hour], 3, false);
        expect(first.map((hit) => hit.remaining)).toEqual([4, 997]);
        await store.countPolicies([{ ...burst, limit: 7 }, hour], 3, false);
        const refused = await store.countPolicies([{ ...burst, limit: 7 }, hour], 3, false);
        expect(refused[0]).toMatchObject({ limited: true, remaining: 1 });
        expect(await counted(hour.key)).toBe(6);
      });

      it.each(['fixed-window', 'sliding-window', 'gcra'] as const)(
        'gives %s units back, never below zero',
        async (algorithm) => {
          const both = policies('refund', algorithm);
          const hits = await store.countPolicies(both, 1, true);
          const after = await store.refundPolicies(both, hits, 1);
          expect(after.map((hit) => hit.remaining)).toEqual([2, 1000]);
          const again = await store.refundPolicies(both, hits, 5);
          expect(again.map((hit) => hit.remaining)).toEqual([2, 1000]);
          expect((await store.countPolicies(both, 1, true)).map((hit) => hit.remaining)).toEqual([
            1, 999,
          ]);
        },
      );

      it('gives back none of a GCRA hit whose units have drained', async () => {
        const gcra = [
          { key: `${prefix}:{drain}:gcra`, limit: 10, period: 10, algorithm: 'gcra' as const },
        ];
        const [slow] = await store.countPolicies(gcra, 1, true);
        await sleep(1100);
        for (let i = 0; i < 10; i += 1)
          expect((await store.countPolicies(gcra, 1, true))[0].limited).toBe(false);
        expect((await store.refundPolicies(gcra, [slow], 1))[0].remaining).toBe(0);
        expect((await store.countPolicies(gcra, 1, true))[0].limited).toBe(true);
      });

      it('lets exactly the smaller budget through among 40 parallel checks', async () => {
        const both = [
          { key: `${prefix}:{race}:minute`, limit: 5, period: 60 },
          { key: `${prefix}:{race}:hour`, limit: 1000, period: 3600 },
        ];
        const answers = await Promise.all(
          Array.from({ length: 40 }, () => Promise.resolve(store.countPolicies(both, 1, false))),
        );
        expect(answers.filter((hits) => !hits.some((hit) => hit.limited))).toHaveLength(5);
        expect(await counted(both[1].key)).toBe(5);
      });

      describe('with shadow policies', () => {
        const ALGORITHMS = ['fixed-window', 'sliding-window', 'gcra'] as const;
        const enforced = (name: string, limit: number): RateLimitPolicyCheck => ({
          key: `${prefix}:{shadow}:${name}`,
          limit,
          period: 60,
        });
        const shadow = (name: string, limit: number, algorithm: RateLimitAlgorithm) => ({
          ...enforced(name, limit),
          algorithm,
          shadow: true,
        });
        /** Units `policy`'s key holds, read by a request dearer than any limit here (refused). */
        const holds = async (policy: RateLimitPolicyCheck) => {
          const [hit] = await store.countPolicies([{ ...policy, shadow: false }], 10_000, true);
          return hit.count;
        };
        const limited = (hits: RateLimitHit[]) => hits.map((hit) => hit.limited);

        it.each(ALGORITHMS)(
          'counts a %s shadow policy only while it would pass, never refusing for it',
          async (algorithm) => {
            const both = [enforced('enforced', 10), shadow('shadow', 2, algorithm)];
            const answers: RateLimitHit[][] = [];
            for (let i = 0; i < 4; i += 1) answers.push(await store.countPolicies(both, 1, false));
            expect(answers.map(([hit]) => hit.limited)).toEqual([false, false, false, false]);
            expect(answers.map(([, hit]) => hit.limited)).toEqual([false, false, true, true]);
            expect(await holds(both[0])).toBe(4);
            expect(await holds(both[1])).toBe(2);
            // Reported as an enforced policy's refusal would be: what the headers need.
            const [asEnforced] = await store.countPolicies(
              [{ ...both[1], shadow: false }],
              1,
              true,
            );
            const refusal = answers[3][1];
            expect(asEnforced.limited).toBe(true);
            expect(refusal).toMatchObject({ count: asEnforced.count, remaining: 0 });
            expect(refusal.retryAfterMs).toBeGreaterThan(0);
            expect(Math.abs(refusal.retryAfterMs - asEnforced.retryAfterMs)).toBeLessThan(1000);
            expect(refusal.resetMs).toBeGreaterThan(0);
          },
        );

        it('counts nothing, shadow policies included, once an enforced policy refuses', async () => {
          const all = [
            enforced('enforced', 2),
            shadow('full', 1, 'fixed-window'),
            shadow('open', 10, 'sliding-window'),
          ];
          const answers: RateLimitHit[][] = [];
          for (let i = 0; i < 3; i += 1) answers.push(await store.countPolicies(all, 1, false));
          expect(answers.map(limited)).toEqual([
            [false, false, false],
            [false, true, false],
            [true, true, false],
          ]);
          expect(await Promise.all(all.map(holds))).toEqual([2, 1, 2]);
        });

        it.each(ALGORITHMS)(
          'never refuses a request whose policies are all shadow ones (%s)',
          async (algorithm) => {
            const both = [shadow('two', 2, 'fixed-window'), shadow('six', 6, algorithm)];
            const answers: RateLimitHit[][] = [];
            for (let i = 0; i < 4; i += 1) answers.push(await store.countPolicies(both, 2, false));
            expect(answers.map(limited)).toEqual([
              [false, false],
              [true, false],
              [true, false],
              [true, true],
            ]);
            expect(await Promise.all(both.map(holds))).toEqual([2, 6]);
          },
        );

        it.each(ALGORITHMS)(
          'lets exactly the enforced limit through among 40 parallel checks, a %s shadow counting exactly its own',
          async (algorithm) => {
            const both = [enforced('race-enforced', 8), shadow('race-shadow', 3, algorithm)];
            const answers = await Promise.all(
              Array.from({ length: 40 }, (_, i) =>
                Promise.resolve(store.countPolicies(both, 1, i % 2 === 0)),
              ),
            );
            const passed = answers.filter(([hit]) => !hit.limited);
            expect(passed).toHaveLength(8);
            expect(passed.filter(([, hit]) => !hit.limited)).toHaveLength(3);
            expect(await Promise.all(both.map(holds))).toEqual([8, 3]);
          },
        );

        it.each(ALGORITHMS)(
          'gives a %s shadow policy nothing back for a request it would have refused',
          async (algorithm) => {
            const both = [enforced('refund-enforced', 10), shadow('refund-shadow', 1, algorithm)];
            const first = await store.countPolicies(both, 1, true);
            const second = await store.countPolicies(both, 1, true);
            expect([first, second].map(limited)).toEqual([
              [false, false],
              [false, true],
            ]);
            const after = await store.refundPolicies(both, second, 1);
            expect(after.map((hit) => hit.count)).toEqual([1, 1]);
            expect(await Promise.all(both.map(holds))).toEqual([1, 1]);
            // What it did count goes back as any policy's.
            const refunded = await store.refundPolicies(both, first, 1);
            expect(refunded.map((hit) => hit.count)).toEqual([0, 0]);
          },
        );
      });
    });
  });
}
