import { readFile } from 'node:fs/promises';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where one process spent its CPU time, from a V8 `.cpuprofile`. */
export interface ProfileSummary {
  variant: string;
  /** Sampled time, idle excluded, milliseconds. */
  busyMs: number;
  /** Self time by package (`this project`, `@nestjs/core`, `node`, `(garbage collector)`…), %. */
  byPackage: [string, number][];
  /** The functions with the most self time, %. */
  topSelf: [string, number][];
  /** This project's functions by inclusive time (their callees included), %. */
  projectInclusive: [string, number][];
}

const PROJECT = '/dist/project/';

/** Reads a `.cpuprofile` and sums its samples by package and by function. */
export async function summarizeProfile(path: string, variant: string): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parents.set(child, node.id);
  const byPackage = new Map<string, number>();
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, index) => {
    const node = nodes.get(id);
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    if (node === undefined || node.callFrame.functionName === '(idle)') return;
    busy += ms;
    add(byPackage, packageOf(node.callFrame), ms);
    add(self, describe(node.callFrame), ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const frame = nodes.get(at)?.callFrame;
      if (frame === undefined || !frame.url.includes(PROJECT)) continue;
      const name = describe(frame);
      if (!seen.has(name)) add(inclusive, name, ms);
      seen.add(name);
    }
  });
  const top = (map: Map<string, number>, count: number): [string, number][] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, ms]) => [name, (100 * ms) / busy]);
  return {
    variant,
    busyMs: busy,
    byPackage: top(byPackage, 12),
    topSelf: top(self, 15),
    projectInclusive: top(inclusive, 12),
  };
}

function add(map: Map<string, number>, key: string, ms: number): void {
  map.set(key, (map.get(key) ?? 0) + ms);
}

function packageOf(frame: CallFrame): string {
  const { url } = frame;
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : 'V8 builtins';
  if (url.includes(PROJECT)) return 'this project';
  if (url.startsWith('node:')) return 'node';
  const match = /node_modules\/(@[^/]+\/[^/]+|[^/]+)/.exec(url);
  if (match !== null) return match[1];
  return url.includes('/bench/dist/') ? 'bench app' : 'other';
}

function describe(frame: CallFrame): string {
  const file = frame.url.includes(PROJECT)
    ? frame.url.slice(frame.url.indexOf(PROJECT) + PROJECT.length)
    : frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\//, '');
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  return file === '' ? name : `${name} ${file}:${frame.lineNumber + 1}`;
}
