/**
 * Time as code with timers sees it. Everything that waits takes a Clock, so tests advance
 * time by hand (test/clock.ts) instead of sleeping; production passes `systemClock`.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): Timer;
  clearTimeout(timer: Timer | undefined): void;
}

/** An opaque timer handle (a Node Timeout, a browser number, a fake clock's id). */
export type Timer = { readonly __timer?: never } | number;

/** The real clock: Date.now and the global timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms) as unknown as Timer,
  clearTimeout: (t) => clearTimeout(t as unknown as ReturnType<typeof setTimeout>),
};
