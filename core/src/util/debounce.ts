import { systemClock, type Clock, type Timer } from './clock';

/**
 * Runs an action per key once no call for that key came for a while: the one debouncer of
 * the extension and the language server (a document's re-check, a DAG panel's redraw, a
 * log's next poll). A later call for a key restarts its wait and replaces its action.
 */
export class KeyedDebouncer<K> {
  private readonly timers = new Map<K, Timer>();

  constructor(private readonly clock: Clock = systemClock) {}

  /** Runs `action` after `delayMs` unless `schedule` or `cancel` is called for `key` first. */
  schedule(key: K, delayMs: number, action: () => void): void {
    this.clock.clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      this.clock.setTimeout(() => {
        this.timers.delete(key);
        action();
      }, delayMs),
    );
  }

  /** Forgets the key's pending action, if any. */
  cancel(key: K): void {
    this.clock.clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }

  /** True while an action waits for the key. */
  pending(key: K): boolean {
    return this.timers.has(key);
  }

  /** Cancels every pending action. */
  dispose(): void {
    for (const t of this.timers.values()) this.clock.clearTimeout(t);
    this.timers.clear();
  }
}
