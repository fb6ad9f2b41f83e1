import type { Clock, Timer } from '../core/src/util/clock';

/**
 * A clock that moves only when told to: `advance(ms)` runs, in time order, every timer due
 * by then (timers that due timers set included). For tests of anything that takes a Clock.
 */
export class FakeClock implements Clock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(timer: Timer | undefined): void {
    if (typeof timer === 'number') this.timers.delete(timer);
  }

  /** How many timers are waiting. */
  get pending(): number {
    return this.timers.size;
  }

  /** How many timers are due now: what `advance(0)` would run. */
  get due(): number {
    let n = 0;
    for (const t of this.timers.values()) if (t.at <= this.time) n++;
    return n;
  }

  /** Moves time on by `ms`, running each timer that falls due on the way, earliest first. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[0] < next[0]))) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = end;
  }
}
