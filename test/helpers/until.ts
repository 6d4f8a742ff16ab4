/**
 * Poll `probe` every 5 ms until it is true; throws once `limitMs` have passed. The limit is a deadline
 * a requirement sets (e.g. "revocations reach every replica within 1 s"), not a performance measure.
 *
 * @example
 * await until(async () => (await check(replica, token)) === '401 token_revoked', 1000);
 */
export async function until(probe: () => Promise<boolean>, limitMs: number): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!(await probe())) {
    if (performance.now() > deadline) throw new Error(`not reached within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
