const started = Date.now();

/** Prints a progress line, prefixed with the time since the runner started (`m:ss`). */
export function log(line: string): void {
  const seconds = Math.round((Date.now() - started) / 1000);
  const clock = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  console.log(`${clock.padStart(5)} ${line}`);
}
