import * as fs from 'node:fs';
import type { RunEvent } from '../../../core/src/protocol/agent';
import type { Plan, PlannedTask } from '../plan';
import type { Store } from '../state/store';
import { uploadOutputs } from './shared-cache';

/**
 * The uploads of a run's `cache: shared` tasks: each success's outputs are copied into the
 * artifact folder in the background (the scheduler never waits for them), then recorded in
 * the store; the run ends once they are done. An upload that fails costs only the sharing:
 * the reason goes to the task's log, and the run goes on.
 */
export class Uploads {
  private readonly pending = new Set<Promise<void>>();
  /** The `cache: shared` tasks by id: looked up for every success, most runs have none. */
  private readonly shared: Map<string, PlannedTask>;

  constructor(
    private readonly store: Store,
    private readonly plan: Plan,
  ) {
    this.shared = new Map(plan.tasks.filter((t) => t.share).map((t) => [t.id, t]));
  }

  /** Starts the uploads that committed events call for. */
  add(events: readonly RunEvent[]): void {
    if (this.shared.size === 0) return;
    for (const e of events) {
      if (e.type !== 'task-finished' || e.status !== 'succeeded' || !e.fingerprint) continue;
      const task = this.shared.get(e.task);
      if (!task) continue;
      const fingerprint = e.fingerprint;
      const work = uploadOutputs(task, this.store.artifacts)
        .then(async (outputs) => {
          if (!outputs) return note(e.log, `mlops: outputs of '${task.id}' not uploaded: one of them is missing or outside the workspace`);
          const { user, host } = this.store.actor;
          await this.store.saveSharedCache({ fingerprint, runId: this.plan.runId, task: task.id, user, host, outputs });
        })
        .catch((x: unknown) => note(e.log, `mlops: outputs of '${task.id}' not uploaded: ${(x as Error).message}`))
        .finally(() => this.pending.delete(work));
      this.pending.add(work);
    }
  }

  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

function note(log: string | null, line: string): void {
  process.stderr.write(`${line}\n`);
  if (!log) return;
  try {
    fs.appendFileSync(log, `\n--- ${line} ---\n`);
  } catch {
    // The log is gone; stderr has it.
  }
}
