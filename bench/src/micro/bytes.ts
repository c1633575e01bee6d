import { median } from '../stats.js';
import { decideAll } from './decide.js';
import type { GuardHost } from './guard-host.js';
import { collectGarbage, collectYoung, countCollections, readHeap } from './heap.js';

/** Decisions per measured batch, at first. */
export const BYTES_BATCH = 500;
/** Batches kept (no collection inside) before the median is taken. */
export const BATCHES_KEPT = 10;
/** Gives up after this many batches, kept or not. */
const BATCHES_MAX = 24;
/** The smallest batch a discarded one is halved down to. */
const BATCH_MIN = 25;

/** Heap bytes allocated per decision, from batches no garbage collection interrupted. */
export interface BytesResult {
  /** Median over kept batches of (heap after − heap before) / decisions. */
  perDecision: number;
  /** Per kept batch. */
  batches: number[];
  /** Batches thrown away because a collection ran inside them. */
  discarded: number;
  /** Decisions of the last batch (below {@link BYTES_BATCH} after discards). */
  batchSize: number;
}

/**
 * Bytes per decision: two full collections, then batch after batch: prebuilds fresh requests,
 * empties the young generation (a scavenge: what a collection before the batch is for, at a
 * fraction of a full one's cost with a dozen apps in the heap), reads the heap, runs the batch,
 * reads it again. A batch with a collection inside (its delta would be too low) is discarded, and
 * the next one is half as large: the young generation shrank, or V8 counted one
 * (`v8.GCProfiler`). Nothing is subtracted: the floor guard's figure is the harness's own share.
 */
export async function bytesPerDecision(host: GuardHost): Promise<BytesResult> {
  const batches: number[] = [];
  let discarded = 0;
  let size = BYTES_BATCH;
  collectGarbage();
  for (let attempt = 0; attempt < BATCHES_MAX && batches.length < BATCHES_KEPT; attempt++) {
    const contexts = host.next(size);
    collectYoung();
    const collections = countCollections();
    const before = readHeap();
    await decideAll(host.guard, contexts);
    const after = readHeap();
    // Right after a collection the young generation is near empty, so a scavenge need not make
    // it shrink: V8's own count of collections catches the ones its size misses.
    if (collections.stop() === 0 && after.young >= before.young) {
      batches.push((after.used - before.used) / size);
    } else {
      discarded += 1;
      size = Math.max(BATCH_MIN, Math.floor(size / 2));
    }
  }
  return { perDecision: median(batches), batches, discarded, batchSize: size };
}
