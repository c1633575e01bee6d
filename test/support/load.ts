/** One request of a load run and how it was answered. */
export interface LoadSample {
  /** The name of the target it went to. */
  target: string;
  /** When it was sent, from `performance.now()`. */
  sentAt: number;
  /** Milliseconds until the whole answer was read. */
  ms: number;
  /** HTTP status; 0 when the request failed without an answer. */
  status: number;
  /** `X-RateLimit-Remaining`, when written. */
  remaining: string | null;
  /** The body's `message`, for answers other than 2xx. */
  message?: string;
}

/** Where a load run sends its requests. */
export interface LoadTarget {
  name: string;
  /** Full URL of the guarded route. */
  url: string;
}

/** Options of {@link startLoad}. */
export interface LoadOptions {
  /** Requests per second over all targets. */
  ratePerSecond: number;
  /** Hard bound on the number of requests, whatever the run's length. */
  maxRequests: number;
  /** Headers of the `n`-th request. */
  headers?: (n: number) => Record<string, string>;
}

/** A load run in progress. */
export interface RunningLoad {
  /** Samples answered so far (the array grows while the load runs). */
  readonly samples: readonly LoadSample[];
  /** Stops sending and resolves with every sample once the requests in flight are answered. */
  stop(): Promise<LoadSample[]>;
}

const TICK_MS = 10;

/**
 * Sends requests at a steady rate, round-robin over `targets`, without waiting for answers (an
 * open loop, like real traffic: a slow server gets more requests in flight, not fewer).
 */
export function startLoad(targets: LoadTarget[], options: LoadOptions): RunningLoad {
  const samples: LoadSample[] = [];
  const inFlight = new Set<Promise<void>>();
  let sent = 0;

  const send = (n: number) => {
    const target = targets[n % targets.length];
    const sentAt = performance.now();
    const request = fetch(target.url, { headers: options.headers?.(n) ?? {} })
      .then(async (response) => {
        const text = await response.text();
        samples.push({
          target: target.name,
          sentAt,
          ms: performance.now() - sentAt,
          status: response.status,
          remaining: response.headers.get('x-ratelimit-remaining'),
          message: response.ok ? undefined : messageOf(text),
        });
      })
      .catch(() => {
        samples.push({
          target: target.name,
          sentAt,
          ms: performance.now() - sentAt,
          status: 0,
          remaining: null,
        });
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };

  const startedAt = performance.now();
  // Paced by the clock, not by ticks: a late tick sends what the rate owes since the start.
  const timer = setInterval(() => {
    const owed = Math.floor(((performance.now() - startedAt) * options.ratePerSecond) / 1000);
    while (sent < owed && sent < options.maxRequests) send(sent++);
  }, TICK_MS);

  return {
    samples,
    stop: async () => {
      clearInterval(timer);
      await Promise.all(inFlight);
      return samples;
    },
  };
}

function messageOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    return typeof body.message === 'string' ? body.message : text;
  } catch {
    return text;
  }
}
