import * as path from 'node:path';
import { recoverInterrupted } from '../recover';
import { Store } from './store';

/** The state folder: `--state-dir`, else `.mlops` in the working directory. */
export function stateDirFor(cwd: string, option: string | undefined): string {
  return path.resolve(cwd, option ?? '.mlops');
}

/**
 * Opens the store and first cleans up after agents that died mid-run, so every command
 * sees interrupted runs as `interrupted` and none of their processes still running.
 */
export async function openState(stateDir: string): Promise<Store> {
  const store = Store.open(stateDir);
  await recoverInterrupted(store, async (runId) => {
    const { removeRunContainers } = await import('../execute/docker.js');
    await removeRunContainers(runId);
  });
  return store;
}
