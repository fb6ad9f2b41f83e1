import type { RetryPolicy } from '../plan';

/** The longest wait between attempts, whatever backoff and factor say. */
const MAX_DELAY_MS = 3_600_000;

/** Whether a task that failed its `attempt`-th attempt gets another. */
export function mayRetry(policy: RetryPolicy, attempt: number): boolean {
  return attempt <= policy.limit;
}

/** The wait after the `attempt`-th failed attempt: backoff, backoff·factor, backoff·factor², … */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  return Math.min(MAX_DELAY_MS, Math.round(policy.backoffMs * policy.factor ** (attempt - 1)));
}
