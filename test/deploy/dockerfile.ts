import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/demo-build.js';

/** One instruction of a Dockerfile: `COPY`, `RUN`..., with its arguments on one line. */
export interface Instruction {
  keyword: string;
  args: string;
  /** 1-based line where it starts, for messages. */
  line: number;
}

/** One `FROM` and the instructions after it. */
export interface Stage {
  /** The image it starts from (`node:20-bookworm-slim`). */
  image: string;
  /** Its `AS` name, if any. */
  name?: string;
  instructions: Instruction[];
}

/** A `COPY`'s parts: `--from=` (absent: the build context), sources and destination. */
export interface Copy {
  from?: string;
  sources: string[];
  dest: string;
  line: number;
}

/** The root Dockerfile's stages, parsed. */
export function readDockerfile(): Stage[] {
  return parseDockerfile(readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8'));
}

/**
 * Splits a Dockerfile into stages of instructions: comment lines dropped (also inside a
 * continuation, as Docker does), lines ending in `\` joined. Enough for this repository's file.
 */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const continued = line.endsWith('\\');
    const part = continued ? line.slice(0, -1).trim() : line;
    pending = pending
      ? { ...pending, text: `${pending.text} ${part}` }
      : { text: part, line: index + 1 };
    if (continued) return;
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(pending.text) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args, line: pending.line };
    pending = undefined;
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = args.split(/\s+/);
      stages.push({ image, ...(as?.toUpperCase() === 'AS' ? { name } : {}), instructions: [] });
    } else if (stages.length === 0) {
      throw new Error(`Dockerfile line ${instruction.line}: ${keyword} before the first FROM`);
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  });
  return stages;
}

/** The stage's instructions with this keyword. */
export function instructions(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}

/** Words of an instruction: its JSON array, or its arguments split on white space. */
export function words(args: string): string[] {
  return args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/);
}

/** A `COPY` instruction's parts (flags other than `--from` are dropped). */
export function parseCopy({ args, line }: Instruction): Copy {
  const parts = words(args);
  const flags = parts.filter((part) => part.startsWith('--'));
  const paths = parts.filter((part) => !part.startsWith('--'));
  const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length);
  if (paths.length < 2) throw new Error(`Dockerfile line ${line}: COPY needs a source and a dest`);
  return { ...(from ? { from } : {}), sources: paths.slice(0, -1), dest: paths.at(-1)!, line };
}

/** The variables the stage's `ENV` instructions set (`K=V ...` or the legacy `K V`). */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of instructions(stage, 'ENV')) {
    const [first = '', ...rest] = args.split(/\s+/);
    if (!first.includes('=')) env[first] = rest.join(' ');
    for (const pair of first.includes('=') ? [first, ...rest] : []) {
      const [key = '', ...value] = pair.split('=');
      env[key] = value.join('=').replace(/^"(.*)"$/, '$1');
    }
  }
  return env;
}

/** The stage's `WORKDIR` (the last one; this parser supports absolute ones only). */
export function workdir(stage: Stage): string {
  const dir = instructions(stage, 'WORKDIR').at(-1)?.args ?? '/';
  if (!dir.startsWith('/')) throw new Error(`WORKDIR ${dir}: only absolute paths are supported`);
  return dir;
}

/** The command of the stage's last `HEALTHCHECK` (`NONE` when disabled), options stripped. */
export function healthcheckCommand(stage: Stage): string[] | undefined {
  const args = instructions(stage, 'HEALTHCHECK').at(-1)?.args;
  if (args === undefined) return undefined;
  if (args.trim().toUpperCase() === 'NONE') return ['NONE'];
  const command = /(?:^|\s)CMD\s+(.*)$/.exec(args)?.[1] ?? '';
  return command.startsWith('[') ? (JSON.parse(command) as string[]) : ['/bin/sh', '-c', command];
}
