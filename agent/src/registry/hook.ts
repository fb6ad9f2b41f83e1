import * as fs from 'node:fs';
import { modelUri } from '../../../core/src/catalog/index';
import type { RunEvent } from '../../../core/src/protocol/agent';
import type { Plan } from '../plan';
import type { StoreConfig } from '../state/config';

const pending = new Set<Promise<void>>();

/**
 * Called with each batch of committed run events: every task with a `model:` block that
 * succeeded gets a new model version, registered in the background so the scheduler never
 * waits for hashing or git. A registration that fails does not fail the run; it is reported
 * in the task's log and on stderr. Never throws.
 */
export function registerModels(plan: Plan, config: StoreConfig, events: readonly RunEvent[]): void {
  for (const e of events) {
    if (e.type !== 'task-finished' || e.status !== 'succeeded') continue;
    const name = plan.loaded.pipeline.tasks.get(e.task)?.model?.name?.value;
    if (!name) continue;
    const log = e.log;
    // Loaded on first use: registration brings git, hashing and the store, which most runs
    // (and every run's start-up) can do without.
    const work = import('./register.js')
      .then(({ registerModelVersion }) => registerModelVersion({ config, plan, taskId: e.task, finishedAt: e.at, durationMs: e.durationMs, log }))
      .then(
        (r) => (r.ok ? report(log, `mlops: registered ${r.value.name} version ${r.value.version} (${modelUri(r.value.name, r.value.version)})`) : failed(log, e.task, name, r.error)),
        (x: unknown) => failed(log, e.task, name, (x as Error).message),
      )
      .finally(() => pending.delete(work));
    pending.add(work);
  }
}

function failed(log: string | null, task: string, name: string, why: string): void {
  const line = `mlops: task '${task}' succeeded, but model ${name} could not be registered: ${why}`;
  report(log, line);
  process.stderr.write(`${line}\n`);
}

function report(log: string | null, line: string): void {
  if (!log) return;
  try {
    fs.appendFileSync(log, `\n--- ${line} ---\n`);
  } catch {
    // The log is gone; stderr (for failures) still has it.
  }
}
