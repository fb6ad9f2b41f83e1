// Polling with a deadline. A check waits for a condition, never for a fixed time, and a
// timeout says what was awaited and what was last seen.

export class TimeoutError extends Error {}

/**
 * Calls `fn` until it returns a truthy value (returned) or the deadline passes.
 * `what` completes the sentence "timed out after N ms waiting for …"; `describe`, when
 * given, reports the last observed state in the error.
 */
export async function waitFor(fn, { timeout = 20_000, interval = 150, what, describe } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
      lastError = undefined;
    } catch (e) {
      if (e?.fatal) throw e; // nothing will change by waiting longer
      lastError = e;
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, Math.min(interval, Math.max(0, deadline - Date.now()))));
  }
  let seen = '';
  if (describe) {
    try {
      seen = ` Last seen: ${await describe()}`;
    } catch {
      /* the description is best effort */
    }
  } else if (lastError) {
    seen = ` Last error: ${lastError.message.split('\n')[0]}`;
  }
  throw new TimeoutError(`timed out after ${timeout} ms waiting for ${what ?? 'a condition'}.${seen}`);
}

/** An error that ends a wait at once: nothing will change by waiting longer. */
export function fatal(message) {
  return Object.assign(new Error(message), { fatal: true });
}

/** Fails with `message` unless `cond` holds. */
export function expect(cond, message) {
  if (!cond) throw new Error(message);
}

/** Fails unless two values are deeply equal (JSON comparison; enough for strings and lists). */
export function expectEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/**
 * Ends a check as skipped, saying why: for a check that needs a service this machine does
 * not have (a Slurm cluster). Its MLOPS_REQUIRE_* variable turns that into a failure instead.
 */
export function skip(reason) {
  throw Object.assign(new Error(reason), { skip: true });
}

/** The last lines of the extension's output channel (`logs` of a check's context), for a failure's description. */
export function outputTail(logs, n = 8) {
  return logs(/MLOps Workbench\.log$/)
    .trim()
    .split('\n')
    .slice(-n)
    .join(' ⏎ ');
}
