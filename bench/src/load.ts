import autocannon from 'autocannon';
import { callerHeaders, GUARDED_PATH, type Scenario } from './scenarios.js';

/** How much load: a duration in seconds or a number of requests. */
export type LoadAmount = { seconds: number } | { requests: number };

/** One load run, summarized. */
export interface LoadResult {
  /** Responses received. */
  requests: number;
  /** Responses per second over the run. */
  rps: number;
  /** 99th-percentile latency, milliseconds. */
  p99: number;
  /** Responses by status code. */
  statuses: Record<string, number>;
  /** Socket errors plus timeouts plus statuses other than 2xx and 429. */
  errors: number;
}

/** Connections, as the issue sets them. */
export const CONNECTIONS = 50;

/**
 * Sends the scenario's requests to the guarded route from `CONNECTIONS` keep-alive connections.
 * `onRequest` sees each request's index, which the memory soak counts.
 */
export async function runLoad(
  port: number,
  scenario: Scenario,
  amount: LoadAmount,
  onRequest?: (index: number) => void,
): Promise<LoadResult> {
  let next = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    ...('seconds' in amount ? { duration: amount.seconds } : { amount: amount.requests }),
    timeout: 10,
    requests: [
      // One caller: the same bytes every time, which spares the load generator's CPU.
      scenario.callers === 1 && onRequest === undefined
        ? { method: 'GET', path: GUARDED_PATH, headers: callerHeaders(scenario, 0) }
        : {
            method: 'GET',
            path: GUARDED_PATH,
            setupRequest: (request) => {
              const index = next++;
              onRequest?.(index);
              const headers = { ...request.headers, ...callerHeaders(scenario, index) };
              return { ...request, headers };
            },
          },
    ],
  });
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
  );
  const unexpected = Object.entries(statuses)
    .filter(([code]) => !code.startsWith('2') && code !== '429')
    .reduce((sum, [, count]) => sum + count, 0);
  const requests = Object.values(statuses).reduce((sum, count) => sum + count, 0);
  return {
    requests,
    rps: requests / result.duration,
    p99: result.latency.p99,
    statuses,
    errors: result.errors + result.timeouts + unexpected,
  };
}
