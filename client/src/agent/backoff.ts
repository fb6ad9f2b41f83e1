/** When to start the agent again after it exits on its own. */
export interface BackoffOptions {
  /** Delay before the first restart. */
  initialMs: number;
  /** Each consecutive quick failure multiplies the delay by this. */
  factor: number;
  /** The delay never grows past this. */
  maxMs: number;
  /** A process that ran at least this long was healthy: its exit starts the count afresh. */
  healthyMs: number;
  /** Consecutive quick failures after which restarting stops (a broken install, not bad luck). */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, factor: 2, maxMs: 30_000, healthyMs: 60_000, maxAttempts: 8 };

/**
 * Exponential backoff for restarting a crashed process: 0.5 s, 1 s, 2 s, … up to a cap. The
 * count resets once a process has stayed up for the healthy period, so an agent that crashes
 * once a day restarts at once every time, while one that cannot start gives up after
 * `maxAttempts` tries instead of spinning.
 */
export class RestartBackoff {
  private failures = 0;

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {}

  /**
   * The process exited unexpectedly after running `uptimeMs`: the delay before starting it
   * again, or undefined when it is time to give up.
   */
  next(uptimeMs: number): number | undefined {
    const o = this.options;
    if (uptimeMs >= o.healthyMs) this.failures = 0;
    if (this.failures >= o.maxAttempts) return undefined;
    const delay = Math.min(o.maxMs, o.initialMs * o.factor ** this.failures);
    this.failures++;
    return delay;
  }

  /** Quick failures in a row so far. */
  get attempts(): number {
    return this.failures;
  }

  /** A deliberate (re)start by the user: forget earlier failures. */
  reset(): void {
    this.failures = 0;
  }
}
