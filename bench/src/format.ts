/** `12,345` */
export const count = (value: number) =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en') : '–';

/** `0.93` */
export const ratio = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '–');

/** Two ratios side by side, with a third decimal when two would show a tie: `0.801 vs 0.798`. */
export function ratios(a: number, b: number): string {
  const digits = ratio(a) === ratio(b) ? 3 : 2;
  return `${a.toFixed(digits)} vs ${b.toFixed(digits)}`;
}

/** `1.000`: operations per check, where the third decimal matters. */
export const perCheck = (value: number) => (Number.isFinite(value) ? value.toFixed(3) : '–');

/** `12.3` */
export const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '–');

/** `4.5 %` */
export const percent = (share: number) =>
  Number.isFinite(share) ? `${(100 * share).toFixed(share > 0 && share < 0.001 ? 3 : 1)} %` : '–';

/** `evalsha 5,000, get 12` */
export const counts = (values: Record<string, number>) =>
  Object.entries(values)
    .sort((a, b) => b[1] - a[1])
    .map(([name, value]) => `${name} ${count(value)}`)
    .join(', ') || 'none';

/** A Markdown table. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
