import type { ProjectInfo } from './machine.js';

/** What both reports say first: the command that produced them, when, and at which commit. */
export function runHeader(run: {
  command: string;
  startedAt: string;
  finishedAt: string;
  project: ProjectInfo;
}): string[] {
  const dirty = run.project.uncommittedChanges ? ' plus uncommitted changes' : '';
  return [
    '```sh',
    'cd bench && npm ci && ' + run.command,
    '```',
    '',
    `- Run ${run.startedAt} → ${run.finishedAt}, project at commit \`${run.project.commit}\`${dirty}.`,
  ];
}
