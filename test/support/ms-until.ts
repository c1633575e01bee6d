/** Polls `probe` every few milliseconds until it holds; the milliseconds it took. Bounded. */
export async function msUntil(probe: () => Promise<boolean>, boundMs: number): Promise<number> {
  const started = performance.now();
  while (!(await probe())) {
    if (performance.now() - started > boundMs) throw new Error(`not seen within ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return performance.now() - started;
}
