import v8 from 'node:v8';

/** A reading of the V8 heap. */
export interface HeapReading {
  /** `used_heap_size`, bytes. */
  used: number;
  /** Used bytes of the young generation (`new_space`): it only drops when a scavenge ran. */
  young: number;
}

/** Reads the heap without collecting. */
export function readHeap(): HeapReading {
  const young = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  return { used: v8.getHeapStatistics().used_heap_size, young: young?.space_used_size ?? NaN };
}

function exposedGc(): NonNullable<typeof globalThis.gc> {
  if (globalThis.gc === undefined) throw new Error('Run with node --expose-gc');
  return globalThis.gc;
}

/** Two full collections (the second frees what the first's finalizers released). */
export function collectGarbage(): void {
  exposedGc()();
  exposedGc()();
}

/** One scavenge: empties the young generation, in a millisecond rather than a full collection's 60. */
export function collectYoung(): void {
  exposedGc()({ type: 'minor' });
}

/** Counts the collections (scavenges included) from now until `stop()`. */
export function countCollections(): { stop(): number } {
  const profiler = new v8.GCProfiler();
  profiler.start();
  return { stop: () => profiler.stop().statistics.length };
}
