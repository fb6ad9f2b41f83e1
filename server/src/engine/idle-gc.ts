import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Timers and heap readings, injected so tests drive them. */
export interface IdleGcHost {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Bytes in use on this thread's heap. */
  usedHeap(): number;
  /** A full collection, or undefined when the runtime offers none. */
  collect: (() => void) | undefined;
}

/** How long a lane must have been idle before it collects. */
export const IDLE_GC_MS = 150;
/** Growth over what was live after the last collection that makes one worth it. */
const SLACK_BYTES = 16 * 1024 * 1024;

/**
 * Collects a lane's garbage while the user pauses. Each analysis of a big pipeline leaves
 * tens of MB of short-lived data, some of it promoted to the old generation, and V8 lets
 * that generation grow to several times what is live before it collects on its own: the
 * process's peak memory is that slack. A full collection when the lane has been idle for
 * IDLE_GC_MS after a call, only when the heap grew 16 MB past what was live after the last
 * one, keeps the heap near its live size; it costs the lane tens of ms of idle time.
 */
export class IdleGc {
  private timer: unknown;
  /** Bytes in use right after the last collection (or at start). */
  private live: number;

  constructor(private readonly host: IdleGcHost = nodeHost()) {
    this.live = host.usedHeap();
  }

  /** A call finished: collect after a quiet spell if the heap has grown enough. */
  afterCall(): void {
    this.cancel();
    if (!this.host.collect || this.host.usedHeap() <= this.live + SLACK_BYTES) return;
    this.timer = this.host.setTimeout(() => {
      this.timer = undefined;
      this.host.collect!();
      this.live = this.host.usedHeap();
    }, IDLE_GC_MS);
  }

  /** Work arrived: it must not wait for a collection. */
  cancel(): void {
    if (this.timer !== undefined) this.host.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function nodeHost(): IdleGcHost {
  return {
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    usedHeap: () => getHeapStatistics().used_heap_size,
    collect: exposeGc(),
  };
}

/**
 * V8's `gc` function. Node gives it only to processes started with --expose-gc, which a
 * language server cannot choose (the editor starts it); the flag can still be set before
 * a new context is made, and the lane makes one just for this. Undefined if that fails.
 */
function exposeGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}
