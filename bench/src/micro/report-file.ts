import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as prettier from 'prettier';

/** The markers around the section in the report file. */
export const SECTION_START = '<!-- micro:start -->';
export const SECTION_END = '<!-- micro:end -->';

// The e2e report's opening comment: the section goes right after it when it has no markers yet.
const ANCHOR = /^<!-- Written by bench\/.*-->[^\S\n]*$/m;

/**
 * `document` with `section` between the markers: replaces what is between them, else inserts the
 * block after the first `<!-- Written by bench/ … -->` line, else appends it.
 */
export function spliceSection(document: string, section: string): string {
  const block = `${SECTION_START}\n\n${section.trim()}\n\n${SECTION_END}`;
  const start = document.indexOf(SECTION_START);
  const end = document.indexOf(SECTION_END, start);
  if (start !== -1 && end !== -1)
    return document.slice(0, start) + block + document.slice(end + SECTION_END.length);
  const anchor = ANCHOR.exec(document);
  if (anchor === null) return document.trim() === '' ? `${block}\n` : `${document}\n${block}\n`;
  const at = anchor.index + anchor[0].length;
  return `${document.slice(0, at)}\n\n${block}\n${document.slice(at)}`;
}

/** Writes `section` into the Markdown file `path` (created if absent), formatted by Prettier. */
export async function writeSection(path: string, section: string): Promise<void> {
  const document = await readFile(path, 'utf8').catch(() => '');
  await mkdir(dirname(path), { recursive: true });
  // The whole file as the repository's Prettier settings want, so that `npm run lint` stays green.
  const style = await prettier.resolveConfig(path);
  const text = await prettier.format(spliceSection(document, section), {
    ...style,
    filepath: path,
  });
  await writeFile(path, text);
}
