import type { Registry } from '../registry/registry';
import { reattachInBackground } from '../reattach';
import { recoverInterrupted } from '../recover';
import { currentActor, type StoreConfig } from './config';
import { explainStateError } from './errors';
import { SqliteStore } from './sqlite-store';
import type { Store } from './store';

/**
 * Opens the configured store: SQLite in the state folder, or PostgreSQL (loaded only then,
 * so runs on SQLite never load the driver). A team store that cannot be reached is an error
 * that names its host.
 */
export async function openStore(config: StoreConfig): Promise<Store> {
  const actor = currentActor();
  if (!config.url) return SqliteStore.open(config.stateDir, config.artifacts, actor);
  const { PgStore } = await import('./pg/pg-store.js');
  return PgStore.open(config.url, config.stateDir, config.artifacts, actor);
}

/**
 * Opens the store and first cleans up after agents of this machine that died mid-run, so
 * every command sees interrupted runs as `interrupted` and none of their processes still
 * running. State that cannot be written then (read-only, a full disk) is still opened for
 * reading, unless the command is about to `write`. Runs whose cluster jobs outlived their
 * agent are taken over: by a background agent of their own (`reattach: 'background'`, the
 * default, for short-lived commands), or not here (`'none'`: a long-lived agent adopts them
 * itself, and `mlops runs reattach` is that background agent).
 */
export async function openState(config: StoreConfig, opts: { write?: boolean; reattach?: 'background' | 'none' } = {}): Promise<Store> {
  const store = await openStore(config);
  try {
    await recoverInterrupted(store, async (runId) => {
      const { removeRunContainers } = await import('../execute/docker.js');
      await removeRunContainers(runId);
    });
    if ((opts.reattach ?? 'background') === 'background') await reattachInBackground(store, config);
  } catch (e) {
    // State that cannot be written (read-only, a full disk) can still be read: say what is
    // not done, and go on; a command that writes meets the same error and stops there.
    const why = store.kind === 'sqlite' ? explainStateError(e) : undefined;
    if (!opts.write && (why?.reason === 'read-only' || why?.reason === 'full')) {
      process.stderr.write(`mlops: ${why.message} Until then, runs whose agent stopped are not marked interrupted.\n`);
      return store;
    }
    await store.close();
    throw why ?? e;
  }
  return store;
}

/**
 * Opens the model store of the configured store. SQLite: undefined when the state folder
 * has no database yet and `create` is false (a read that finds nothing creates nothing).
 */
export async function openRegistry(config: StoreConfig, create: boolean): Promise<Registry | undefined> {
  if (!config.url) {
    const { SqliteRegistry } = await import('../registry/sqlite-registry.js');
    return create ? SqliteRegistry.open(config.stateDir, config.artifacts) : SqliteRegistry.openExisting(config.stateDir, config.artifacts);
  }
  const { PgRegistry } = await import('./pg/pg-registry.js');
  return PgRegistry.open(config.url, config.stateDir, config.artifacts, currentActor());
}
