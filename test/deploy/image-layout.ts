import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join, posix, relative } from 'node:path';
import { readDockerignore } from './dockerignore.js';
import { type Instruction, parseCopy, type Stage, stageEnv, workdir, words } from './dockerfile.js';

/** What a replayed stage may read: the build context and the directories of earlier stages. */
export interface ReplaySources {
  context: string;
  stages: Map<string, { stage: Stage; dir: string }>;
}

/** Runs one `&&`-separated part of a `RUN` line in the stage's directory. */
export type RunStep = (words: string[], dir: string, env: Record<string, string>) => Promise<void>;

/**
 * Replays `stage` into `dir`, which stands for its `WORKDIR`: each `COPY` as Docker would do it
 * (context sources filtered by `.dockerignore`), each part of each `RUN` through the first
 * step whose key starts it (`'npm ci'`). A part no step knows fails the replay, so a new `RUN`
 * in the Dockerfile must be taught here.
 */
export async function replayStage(
  stage: Stage,
  dir: string,
  sources: ReplaySources,
  steps: Record<string, RunStep>,
): Promise<void> {
  const env = stageEnv(stage);
  let cwd = '/';
  for (const instruction of stage.instructions) {
    if (instruction.keyword === 'WORKDIR') cwd = posix.resolve(cwd, instruction.args);
    if (instruction.keyword === 'COPY') {
      await replayCopy(instruction, cwd, { dir, workdir: workdir(stage) }, sources);
    }
    if (instruction.keyword !== 'RUN') continue;
    if (cwd !== workdir(stage)) throw new Error('replays RUN in the final WORKDIR only');
    for (const part of instruction.args.split('&&').map((text) => text.trim())) {
      const key = Object.keys(steps).find((step) => part === step || part.startsWith(`${step} `));
      if (key === undefined) {
        throw new Error(`Dockerfile line ${instruction.line}: no replay for "${part}"`);
      }
      await steps[key](words(part), dir, env);
    }
  }
}

/** One `COPY`, with `cwd` the `WORKDIR` in effect, into `target.dir` (the final `WORKDIR`). */
async function replayCopy(
  instruction: Instruction,
  cwd: string,
  target: { dir: string; workdir: string },
  sources: ReplaySources,
) {
  const copy = parseCopy(instruction);
  const from = copy.from === undefined ? undefined : sources.stages.get(copy.from);
  if (copy.from !== undefined && from === undefined) {
    throw new Error(`Dockerfile line ${copy.line}: no earlier stage ${copy.from} was replayed`);
  }
  const dest = inside(target.dir, target.workdir, posix.resolve(cwd, copy.dest));
  const intoDirectory = copy.dest.endsWith('/') || copy.sources.length > 1;
  const { ignores } = readDockerignore();
  for (const source of copy.sources) {
    const path = from
      ? inside(from.dir, workdir(from.stage), source)
      : join(sources.context, source);
    if (!existsSync(path)) {
      throw new Error(`Dockerfile line ${copy.line}: ${source} does not exist`);
    }
    if ((await stat(path)).isDirectory()) {
      const filter = (file: string) =>
        from !== undefined || !ignores(relative(sources.context, file));
      await cp(path, dest, { recursive: true, filter });
    } else {
      const file = intoDirectory ? join(dest, basename(source)) : dest;
      await mkdir(dirname(file), { recursive: true });
      await copyFile(path, file);
    }
  }
}

/** The host path in `dir` (the stage's `workdir`) for a container path. */
function inside(dir: string, stageWorkdir: string, path: string): string {
  const absolute = posix.resolve(stageWorkdir, path);
  const rest = posix.relative(stageWorkdir, absolute);
  if (rest.startsWith('..')) throw new Error(`${path} is outside WORKDIR ${stageWorkdir}`);
  return join(dir, rest);
}
