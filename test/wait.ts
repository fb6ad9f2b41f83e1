/**
 * Waiting in tests: always for a condition, polled, with a deadline; never a fixed sleep.
 */

/**
 * Polls `check` until it returns a truthy value and returns that value. A check that throws
 * counts as "not yet"; the last error is named when the deadline passes.
 */
export async function waitFor<T>(what: string | (() => string), check: () => T | undefined | null | false | Promise<T | undefined | null | false>, ms = 15_000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    let last: unknown;
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e; // not there yet
    }
    if (Date.now() > deadline) {
      const why = last === undefined ? '' : ` (last check: ${last instanceof Error ? last.message : String(last)})`;
      throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'function' ? what() : what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
