import { startApp } from './app-process.js';
import { runLoad } from './load.js';
import { rssMiB } from './proc.js';
import { SCENARIOS } from './scenarios.js';

/** One RSS reading of the app during the soak. */
export interface SoakSample {
  /** Distinct callers sent so far. */
  keys: number;
  rssMiB: number;
}

/** The memory soak's outcome: RSS of `ours-memory` while distinct keys pass through. */
export interface SoakResult {
  keys: number;
  seconds: number;
  periodSeconds: number;
  /** RSS once the first tenth of the keys had passed (warm JIT, filled pools). */
  baselineMiB: number;
  /** Highest RSS after that. */
  peakMiB: number;
  finalMiB: number;
  /** `peak / baseline - 1`: the target is at most 0.20. */
  growth: number;
  samples: SoakSample[];
  errors: number;
}

/** The servers' ports: the memory variant needs neither, the app reads them anyway. */
interface SoakPorts {
  redisPort: number;
  memcachedPort: number;
}

const SAMPLE_EVERY_MS = 500;

/**
 * Sends `keys` requests, each from a new caller, at `ours-memory` with 1 s windows, and samples
 * the app's resident memory (from /proc, so the readings cost the app nothing).
 */
export async function runMemorySoak(
  keys: number,
  ports: SoakPorts,
  log: (line: string) => void,
): Promise<SoakResult> {
  const scenario = SCENARIOS.soak;
  const app = await startApp({ variant: 'ours-memory', scenario: 'soak', ...ports });
  const samples: SoakSample[] = [];
  let sent = 0;
  let nextReport = keys / 10;
  const timer = setInterval(() => {
    void rssMiB(app.pid).then((rss) => {
      samples.push({ keys: sent, rssMiB: rss });
      if (sent < nextReport) return;
      log(`  soak: ${sent.toLocaleString('en')} keys, RSS ${rss.toFixed(1)} MiB`);
      nextReport += keys / 10;
    });
  }, SAMPLE_EVERY_MS);
  const started = Date.now();
  try {
    const load = await runLoad(app.port, scenario, { requests: keys }, (index) => (sent = index));
    samples.push({ keys: sent, rssMiB: await rssMiB(app.pid) });
    return summarize(keys, (Date.now() - started) / 1000, samples, load.errors);
  } finally {
    clearInterval(timer);
    await app.stop();
  }
}

function summarize(keys: number, seconds: number, samples: SoakSample[], errors: number) {
  const warm = samples.filter((sample) => sample.keys >= keys / 10);
  const baselineMiB = warm[0]?.rssMiB ?? Number.NaN;
  const peakMiB = Math.max(...warm.map((sample) => sample.rssMiB));
  const finalMiB = samples[samples.length - 1]?.rssMiB ?? Number.NaN;
  const periodSeconds = SCENARIOS.soak.periodSeconds;
  const growth = peakMiB / baselineMiB - 1;
  return { keys, seconds, periodSeconds, baselineMiB, peakMiB, finalMiB, growth, samples, errors };
}
