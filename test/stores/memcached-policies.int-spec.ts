import { randomUUID } from 'node:crypto';
import { KeyQueue } from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/memcached-cas.js';
import {
  MemcachedClient,
  type Versioned,
} from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/memcached-client.js';
import {
  type CasClient,
  CasPolicies,
  casPolicy,
} from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/memcached-policies.js';
import {
  MemcachedRateLimitStore,
  type MemcachedRateLimitStoreOptions,
} from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/memcached-rate-limit.store.js';
import type {
  RateLimitHit,
  RateLimitPolicyCheck,
} from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/rate-limit-store.js';
import { startMemcachedServer, type ThrowawayMemcached } from '../support/memcached-server.js';
import {
  expectPoliciesAsMemory,
  type FakeClock,
  fakeClock,
} from '../support/memcached-policies-reference.js';

// Several policies at once on Memcached: as the memory store, all or none across processes,
// refunds, and the round trips it takes.

/** A whole second ahead of the real clock: Memcached keeps every value past its end on it. */
const aheadOfNow = () => Math.ceil(Date.now() / 1000) * 1000 + 1000;

/** Counts a client's calls, and its round trips: calls started while none was in flight. */
function recordCalls(): { calls: string[]; rounds: () => number; restore: () => void } {
  const prototype = MemcachedClient.prototype as unknown as Record<string, unknown>;
  const names = ['get', 'gets', 'getsMulti', 'add', 'cas', 'incr', 'del'];
  const originals = names.map(
    (name) => prototype[name] as (...args: unknown[]) => Promise<unknown>,
  );
  const calls: string[] = [];
  let inFlight = 0;
  let rounds = 0;
  names.forEach((name, index) => {
    prototype[name] = function (this: unknown, ...args: unknown[]) {
      if (inFlight++ === 0) rounds += 1;
      calls.push(name);
      return originals[index].apply(this, args).finally(() => (inFlight -= 1));
    };
  });
  return {
    calls,
    rounds: () => rounds,
    restore: () => names.forEach((name, index) => (prototype[name] = originals[index])),
  };
}

/** A client for hand-built interleavings: `before` runs ahead of each write it sends. */
class Interleaved implements CasClient {
  readonly calls: string[] = [];
  constructor(
    private readonly inner: MemcachedClient,
    private readonly before: (call: string) => Promise<void>,
  ) {}

  getsMulti(keys: readonly string[]): Promise<Map<string, Versioned>> {
    this.calls.push(`gets ${keys.map(short).join(' ')}`);
    return this.inner.getsMulti(keys);
  }

  async add(key: string, value: string | number, lifetime: number): Promise<boolean> {
    const call = `add ${short(key)}`;
    // Logged in the order sent, with the outcome once known.
    const at = this.calls.push(call) - 1;
    await this.before(call);
    const stored = await this.inner.add(key, value, lifetime);
    this.calls[at] = `${call} ${stored ? 'stored' : 'lost'}`;
    return stored;
  }

  async cas(key: string, value: string | number, cas: string, lifetime: number): Promise<boolean> {
    const call = `cas ${short(key)}`;
    // Logged in the order sent, with the outcome once known.
    const at = this.calls.push(call) - 1;
    await this.before(call);
    const stored = await this.inner.cas(key, value, cas, lifetime);
    this.calls[at] = `${call} ${stored ? 'stored' : 'lost'}`;
    return stored;
  }
}

/** The last part of a test key (`…:first` → `first`). */
const short = (key: string) => key.slice(key.lastIndexOf(':') + 1);

describe('memcached store: several policies', () => {
  let memcached: ThrowawayMemcached;
  const stores: MemcachedRateLimitStore[] = [];
  const clients: MemcachedClient[] = [];
  let prefix: string;
  const newPrefix = () => `ratelimit:test-${randomUUID()}`;
  const open = (options: MemcachedRateLimitStoreOptions = {}) => {
    const store = new MemcachedRateLimitStore({
      host: '127.0.0.1',
      port: memcached.port,
      timeoutMs: 2000,
      ...options,
    });
    stores.push(store);
    return store;
  };
  const client = () => {
    const made = new MemcachedClient({
      location: memcached.location,
      poolSize: 4,
      timeoutMs: 2000,
    });
    clients.push(made);
    return made;
  };
  const policy = (name: string, shape: Omit<RateLimitPolicyCheck, 'key'>) => ({
    key: `${prefix}:${name}`,
    ...shape,
  });

  beforeAll(async () => {
    memcached = await startMemcachedServer();
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.onApplicationShutdown()));
    for (const made of clients) made.end();
    await memcached.close();
  });
  beforeEach(() => {
    prefix = newPrefix();
  });

  it('answers as the memory store, counting and refunding 1–3 policies of every algorithm', () => {
    const clock = fakeClock();
    return expectPoliciesAsMemory(open({ clock }), clock, newPrefix, 120);
  });

  it('writes nothing for a refusal: values and CAS tokens stay as they were', async () => {
    const clock = fakeClock(aheadOfNow());
    const store = open({ clock });
    const policies = [
      policy('fixed', { limit: 5, period: 60 }),
      policy('sliding', { limit: 5, period: 60, algorithm: 'sliding-window' }),
      policy('gcra', { limit: 2, period: 60, algorithm: 'gcra', burst: 2 }),
    ];
    expect((await store.countPolicies(policies, 2, true)).map((hit) => hit.limited)).toEqual([
      false,
      false,
      false,
    ]);
    const keys = policies.map(({ key }) => key);
    const raw = client();
    const before = await raw.getsMulti(keys);
    const refused = await store.countPolicies(policies, 2, true);
    expect(await raw.getsMulti(keys)).toEqual(before);
    expect(before.size).toBe(3);
    expect(refused.map(({ limited, count }) => ({ limited, count }))).toEqual([
      { limited: false, count: 2 },
      { limited: false, count: 2 },
      { limited: true, count: 2 },
    ]);
  });

  it.each([
    ['fixed-window', {}],
    ['sliding-window', { algorithm: 'sliding-window' as const }],
    ['gcra', { algorithm: 'gcra' as const, burst: 5 }],
  ])(
    '%s and a long window: exactly 5 of 40 parallel requests from two processes pass',
    async (_name, counting) => {
      const [a, b] = [open({ timeoutMs: 5000 }), open({ timeoutMs: 5000 })];
      const policies = [
        policy('short', { limit: 5, period: 60, ...counting }),
        policy('long', { limit: 1000, period: 3600 }),
      ];
      const hits = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          Promise.resolve((i % 2 === 0 ? a : b).countPolicies(policies, 1, true)),
        ),
      );
      const passed = hits.filter((pair) => !pair.some(({ limited }) => limited));
      expect(passed).toHaveLength(5);
      // Every refusal is the short window's, none the budget's; the long one never refuses.
      for (const [short, long] of hits.filter((pair) => !passed.includes(pair))) {
        expect(short).toMatchObject({ limited: true });
        expect(short.retryAfterMs).toBeGreaterThan(1);
        expect(long.limited).toBe(false);
      }
      expect(await a.getCount(policies[1].key)).toBe(5);
    },
  );

  it('lets requests of one process that share keys wait for each other, never contending', async () => {
    const store = open({ timeoutMs: 5000 });
    const policies = [
      policy('short', { limit: 5, period: 60 }),
      policy('long', { limit: 100, period: 3600, algorithm: 'sliding-window' }),
    ];
    await store.ping();
    const recorder = recordCalls();
    let hits: RateLimitHit[][];
    try {
      hits = await Promise.all(
        Array.from({ length: 20 }, () => Promise.resolve(store.countPolicies(policies, 1, true))),
      );
    } finally {
      recorder.restore();
    }
    expect(hits.filter((pair) => !pair.some(({ limited }) => limited))).toHaveLength(5);
    // One read each, and two writes for each pass: not one write lost to a neighbour.
    const tally = (name: string) => recorder.calls.filter((call) => call === name).length;
    expect([tally('getsMulti'), tally('add') + tally('cas')]).toEqual([20, 10]);
  });

  it('refuses a request whose write keeps losing past the budget, giving back the rest', async () => {
    const clock = fakeClock(aheadOfNow());
    const other = open({ clock });
    const first = policy('first', { limit: 5, period: 60 });
    const second = policy('second', { limit: 1000, period: 60 });
    let races = 0;
    // Another process writes the second key before each of our writes to it.
    const interleaved = new Interleaved(client(), async (call) => {
      if (call.endsWith('second')) {
        races += 1;
        await other.countPolicies([second], 1, true);
      }
    });
    const sequence = new CasPolicies(interleaved, new KeyQueue(), clock, 50);

    const hits = await sequence.count(
      [first, second].map((check) => casPolicy(check, check.key)),
      1,
    );

    expect(hits[1]).toMatchObject({ limited: true, retryAfterMs: 1 });
    expect(hits[0]).toMatchObject({ limited: false, count: 0 });
    expect(await other.getCount(first.key)).toBe(0);
    expect(await other.getCount(second.key)).toBe(races);
    expect(races).toBeGreaterThan(1);
  });

  describe('a refusal found after a lost write', () => {
    const shapes = [
      ['fixed-window', { limit: 10, period: 60 }],
      ['sliding-window', { limit: 10, period: 60, algorithm: 'sliding-window' }],
      ['gcra', { limit: 10, period: 60, algorithm: 'gcra', burst: 10 }],
    ] as const;

    it.each(shapes)(
      '%s: is given back on the first key, even when another process races on it',
      async (_name, shape) => {
        const clock = fakeClock(aheadOfNow());
        const other = open({ clock });
        const first = policy('first', shape);
        const control = policy('control', shape);
        const second = policy('second', { limit: 1, period: 60 });
        const hooks: Record<string, () => Promise<unknown>> = {
          // Between our read and our writes, another route fills the second key...
          [`add second`]: () => Promise.resolve(other.countPolicies([second], 1, true)),
          // ...and between our write and its compensation, another counts on the first key.
          [`cas first`]: () => Promise.resolve(other.countPolicies([first], 1, true)),
        };
        const interleaved = new Interleaved(client(), async (call) => {
          const hook = hooks[call];
          delete hooks[call];
          await hook?.();
        });
        const sequence = new CasPolicies(interleaved, new KeyQueue(), clock, 2000);
        const checks = [first, second].map((check) => casPolicy(check, check.key));

        const hits = await sequence.count(checks, 1);

        expect(interleaved.calls).toEqual([
          'gets first second',
          'add first stored',
          'add second lost',
          'gets second first',
          'cas first lost',
          'gets first',
          'cas first stored',
        ]);
        expect(hits[1]).toMatchObject({ limited: true, count: 1 });
        expect(hits[0]).toMatchObject({ limited: false, count: 1 });
        // The first key holds what the other process counted, and nothing of ours.
        await other.countPolicies([control], 1, true);
        const raw = await client().getsMulti([first.key, control.key]);
        expect(raw.get(first.key)?.value).toEqual(raw.get(control.key)?.value);
      },
    );

    it('can refuse a request sharing the first key until the units are given back', async () => {
      const clock = fakeClock(aheadOfNow());
      const other = open({ clock });
      const first = policy('first', { limit: 1, period: 60 });
      const second = policy('second', { limit: 1, period: 60 });
      let sharing: RateLimitHit[] | undefined;
      const hooks: Record<string, () => Promise<unknown>> = {
        [`add second`]: () => Promise.resolve(other.countPolicies([second], 1, true)),
        [`cas first`]: async () => (sharing = await other.countPolicies([first], 1, true)),
      };
      const interleaved = new Interleaved(client(), async (call) => {
        const hook = hooks[call];
        delete hooks[call];
        await hook?.();
      });
      const sequence = new CasPolicies(interleaved, new KeyQueue(), clock, 2000);

      const hits = await sequence.count(
        [first, second].map((check) => casPolicy(check, check.key)),
        1,
      );

      expect(hits.map(({ limited }) => limited)).toEqual([false, true]);
      // The documented cost: refused by units of a request that was refused too.
      expect(sharing).toEqual([expect.objectContaining({ limited: true, count: 1 })]);
      expect(interleaved.calls.slice(-1)).toEqual(['cas first stored']);
      expect(await other.getCount(first.key)).toBe(0);
      expect(await other.getCount(second.key)).toBe(1);
    });
  });

  describe('shadow policies', () => {
    /** Units `check`'s key holds, read by a refused request dearer than any limit here. */
    const holds = async (store: MemcachedRateLimitStore, check: RateLimitPolicyCheck) =>
      (await store.countPolicies([{ ...check, shadow: false }], 10_000, true))[0].count;
    /** A sequence whose writes run `hooks[call]` (once each) before they are sent. */
    const hooked = (clock: FakeClock, hooks: Record<string, () => Promise<unknown>>) => {
      const interleaved = new Interleaved(client(), async (call) => {
        const hook = hooks[call];
        delete hooks[call];
        await hook?.();
      });
      return { interleaved, sequence: new CasPolicies(interleaved, new KeyQueue(), clock, 2000) };
    };

    it('passes a request whose shadow policy, its write lost, would then refuse: uncounted', async () => {
      const clock = fakeClock(aheadOfNow());
      const other = open({ clock });
      const first = policy('first', { limit: 10, period: 60 });
      const second = policy('second', { limit: 1, period: 60, shadow: true });
      const { interleaved, sequence } = hooked(clock, {
        // Between our read and our write, another process takes the shadow policy's last unit.
        [`add second`]: () => Promise.resolve(other.countPolicies([second], 1, true)),
      });

      const hits = await sequence.count(
        [first, second].map((check) => casPolicy(check, check.key)),
        1,
      );

      expect(interleaved.calls).toEqual([
        'gets first second',
        'add first stored',
        'add second lost',
        'gets second first',
      ]);
      expect(hits[0]).toMatchObject({ limited: false, count: 1 });
      expect(hits[1]).toMatchObject({ limited: true, count: 1, remaining: 0 });
      expect(hits[1].retryAfterMs).toBeGreaterThan(1);
      expect(hits[1].window).toBeUndefined();
      expect(await other.getCount(first.key)).toBe(1);
      expect(await other.getCount(second.key)).toBe(1);
    });

    it('gives a counted shadow policy back when an enforced one refuses after a lost write', async () => {
      const clock = fakeClock(aheadOfNow());
      const other = open({ clock });
      const full = policy('full', { limit: 1, period: 60, shadow: true });
      const open_ = policy('open', { limit: 10, period: 60, shadow: true });
      const second = policy('second', { limit: 1, period: 60 });
      await other.countPolicies([full], 1, true);
      const { interleaved, sequence } = hooked(clock, {
        [`add second`]: () => Promise.resolve(other.countPolicies([second], 1, true)),
      });

      const hits = await sequence.count(
        [full, open_, second].map((check) => casPolicy(check, check.key)),
        1,
      );

      // The full shadow policy writes nothing, and nothing is given back to it.
      expect(interleaved.calls).toEqual([
        'gets full open second',
        'add open stored',
        'add second lost',
        'gets second open',
        'cas open stored',
      ]);
      expect(hits.map(({ limited, count }) => [limited, count])).toEqual([
        [true, 1],
        [false, 0],
        [true, 1],
      ]);
      expect(await Promise.all([full, open_, second].map((check) => holds(other, check)))).toEqual([
        1, 0, 1,
      ]);
    });

    it('passes a request whose shadow write keeps losing past the budget, without it', async () => {
      const clock = fakeClock(aheadOfNow());
      const other = open({ clock });
      const first = policy('first', { limit: 5, period: 60 });
      const second = policy('second', { limit: 1000, period: 60, shadow: true });
      let races = 0;
      const interleaved = new Interleaved(client(), async (call) => {
        if (call.endsWith('second')) {
          races += 1;
          await other.countPolicies([second], 1, true);
        }
      });
      const sequence = new CasPolicies(interleaved, new KeyQueue(), clock, 50);

      const hits = await sequence.count(
        [first, second].map((check) => casPolicy(check, check.key)),
        1,
      );

      expect(hits[0]).toMatchObject({ limited: false, count: 1 });
      expect(hits[1]).toMatchObject({ limited: true, retryAfterMs: 1 });
      expect(hits[1].window).toBeUndefined();
      expect(await other.getCount(first.key)).toBe(1);
      expect(await other.getCount(second.key)).toBe(races);
      expect(races).toBeGreaterThan(1);
    });

    it.each([
      ['fixed-window', {}],
      ['sliding-window', { algorithm: 'sliding-window' as const }],
      ['gcra', { algorithm: 'gcra' as const }],
    ])(
      'a %s shadow policy and an enforced one: of 40 parallel requests from two processes, exactly 8 pass and 3 count on the shadow one',
      async (_name, counting) => {
        const [a, b] = [open({ timeoutMs: 5000 }), open({ timeoutMs: 5000 })];
        const policies = [
          policy('enforced', { limit: 8, period: 60 }),
          policy('shadow', { limit: 3, period: 60, shadow: true, ...counting }),
        ];
        const hits = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            Promise.resolve((i % 2 === 0 ? a : b).countPolicies(policies, 1, i % 4 < 2)),
          ),
        );
        const passed = hits.filter(([enforced]) => !enforced.limited);
        expect(passed).toHaveLength(8);
        expect(passed.filter(([, shadow]) => !shadow.limited)).toHaveLength(3);
        expect(await Promise.all(policies.map((check) => holds(a, check)))).toEqual([8, 3]);
      },
    );
  });

  it('reads and writes the windows of the incr path, a window opened mid-second ending on one', async () => {
    const opened = aheadOfNow() + 300;
    const clock = fakeClock(opened);
    const store = open({ clock });
    const fixed = policy('fixed', { limit: 5, period: 60 });
    const [first] = await store.countPolicies([fixed], 2, true);
    expect(first).toMatchObject({ count: 2, resetMs: 59_700, window: opened - 300 + 60_000 });
    clock.set(opened + 1000);
    expect((await store.countPolicies([fixed], 1, false))[0]).toMatchObject({
      count: 3,
      resetMs: 58_700,
    });
    expect((await store.countPolicies([fixed], 2, true))[0]).toMatchObject({ count: 5 });
    expect((await store.countPolicies([fixed], 1, true))[0]).toMatchObject({ limited: true });
    expect(await store.getCount(fixed.key)).toBe(5);
  });

  it('gives nothing back to a fixed window that has rolled over', async () => {
    const start = aheadOfNow();
    const clock = fakeClock(start);
    const store = open({ clock });
    const fixed = policy('fixed', { limit: 3, period: 2 });
    const counted = await store.countPolicies([fixed], 2, true);
    clock.set(start + 2000);
    // The ended window is still in Memcached (its clock is behind ours): it is not written.
    const raw = client();
    const ended = await raw.getsMulti([fixed.key]);
    expect(await store.refundPolicies([fixed], counted, 2)).toEqual([
      { count: 0, limited: false, remaining: 3, resetMs: 0, retryAfterMs: 0 },
    ]);
    expect(await raw.getsMulti([fixed.key])).toEqual(ended);
    // Nor to the window that followed it.
    expect((await store.countPolicies([fixed], 1, true))[0]).toMatchObject({ count: 1 });
    expect((await store.refundPolicies([fixed], counted, 2))[0]).toMatchObject({ count: 1 });
    expect(await store.getCount(fixed.key)).toBe(1);
  });

  it.each([
    ['fixed-window', {}],
    ['sliding-window', { algorithm: 'sliding-window' as const }],
    ['gcra', { algorithm: 'gcra' as const, burst: 4 }],
  ])('%s: a refund never goes below zero nor makes room past the limit', async (_n, counting) => {
    const clock = fakeClock(aheadOfNow());
    const store = open({ clock });
    const limited = policy('limited', { limit: 4, period: 60, ...counting });
    const counted = await store.countPolicies([limited], 1, true);
    for (let i = 0; i < 2; i += 1)
      expect((await store.refundPolicies([limited], counted, 3))[0]).toMatchObject({
        count: 0,
        remaining: 4,
      });
    expect((await store.countPolicies([limited], 4, true))[0].limited).toBe(false);
    expect((await store.countPolicies([limited], 1, true))[0].limited).toBe(true);
  });

  it.each([1, 2, 3])(
    '%i policies: two round trips for a pass, one for a refusal, one for a lone unit',
    async (count) => {
      const clock = fakeClock(aheadOfNow());
      const store = open({ clock });
      const policies = [
        policy('fixed', { limit: 1, period: 60 }),
        policy('sliding', { limit: 1, period: 60, algorithm: 'sliding-window' }),
        policy('gcra', { limit: 1, period: 60, algorithm: 'gcra', burst: 1 }),
      ].slice(0, count);
      await store.ping();
      let counted: RateLimitHit[] = [];
      const measure = async (work: () => Promise<unknown>) => {
        const recorder = recordCalls();
        try {
          await work();
        } finally {
          recorder.restore();
        }
        return { rounds: recorder.rounds(), calls: recorder.calls };
      };
      const pass = await measure(
        async () => (counted = await store.countPolicies(policies, 1, true)),
      );
      expect(pass).toEqual({ rounds: 2, calls: ['getsMulti', ...Array(count).fill('add')] });
      expect(await measure(() => Promise.resolve(store.countPolicies(policies, 1, true)))).toEqual({
        rounds: 1,
        calls: ['getsMulti'],
      });
      expect(await measure(() => store.refundPolicies(policies, counted, 1))).toEqual({
        rounds: 2,
        calls: ['getsMulti', ...Array(count).fill('cas')],
      });
      // Nothing left to give back: nothing written.
      expect(await measure(() => store.refundPolicies(policies, counted, 1))).toEqual({
        rounds: 1,
        calls: ['getsMulti'],
      });
      const lone = policy('lone', { limit: 5, period: 60 });
      await store.countPolicies([lone], 1, false);
      expect(await measure(() => Promise.resolve(store.countPolicies([lone], 1, false)))).toEqual({
        rounds: 1,
        calls: ['incr'],
      });
    },
  );
});
