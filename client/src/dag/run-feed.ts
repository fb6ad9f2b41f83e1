import type { RunEvent, RunRecord } from '../../../core/src/browser';
import type { HostMessage } from '../../../core/src/browser';

/**
 * What the run overlay of one pipeline has been told: the latest run as a record, then the
 * live events since. A webview that reloads (hidden and shown again) gets it replayed.
 */
export class RunFeed {
  private snapshot: RunRecord | null = null;
  private events: RunEvent[] = [];
  private readonly tails = new Map<string, { runId: string; text: string }>();

  /** The run the overlay shows, if any. */
  get runId(): string | undefined {
    const started = this.events[0];
    return started?.type === 'run-started' ? started.runId : (this.snapshot?.id ?? undefined);
  }

  setRun(run: RunRecord | null): HostMessage {
    this.snapshot = run;
    this.events = [];
    this.tails.clear();
    return { type: 'run', run };
  }

  /** Returns the message to forward, or undefined when the event belongs to another run. */
  event(e: RunEvent): HostMessage | undefined {
    if (e.type === 'run-started') {
      this.snapshot = null;
      this.events = [e];
      this.tails.clear();
    } else if (e.runId === this.runId) {
      this.events.push(e);
    } else {
      return undefined;
    }
    return { type: 'runEvent', event: e };
  }

  logTail(runId: string, task: string, text: string): HostMessage | undefined {
    if (runId !== this.runId) return undefined;
    this.tails.set(task, { runId, text });
    return { type: 'logTail', runId, task, text };
  }

  /** Everything a fresh webview needs to show the same overlay. */
  replay(): HostMessage[] {
    const out: HostMessage[] = [{ type: 'run', run: this.snapshot }];
    for (const event of this.events) out.push({ type: 'runEvent', event });
    for (const [task, t] of this.tails) out.push({ type: 'logTail', runId: t.runId, task, text: t.text });
    return out;
  }
}
