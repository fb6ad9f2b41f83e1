import * as path from 'node:path';
import { currentActor } from '../../../core/src/node/actor';
import { option, UsageError, type ParsedArgs } from '../util/args';

/** Where state goes: the store (a postgresql:// URL, or null for SQLite in the state folder) and the artifact folder. */
export interface StoreConfig {
  url: string | null;
  /** This machine's state folder (`.mlops/`): the SQLite store, or the local caches beside a team store. */
  stateDir: string;
  /** The content-addressed folder the team shares: logs, model parameters, uploaded outputs. */
  artifacts: string;
}

/** The options every command that reads or writes state takes. */
export const STORE_OPTIONS = ['state-dir', 'store', 'artifacts'] as const;
export const STORE_USAGE = '[--store URL] [--artifacts DIR] [--state-dir DIR]';

/**
 * The store a command uses: `--store`, else `MLOPS_STORE`, else SQLite in the state folder
 * (`--state-dir`, else `.mlops`); artifacts in `--artifacts`, else `MLOPS_ARTIFACTS`, else
 * the state folder.
 */
export function storeConfig(cwd: string, args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const stateDir = path.resolve(cwd, option(args, 'state-dir') ?? '.mlops');
  const given = option(args, 'store') ?? (env.MLOPS_STORE || undefined);
  let url: string | null = null;
  if (given !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(given)) {
      throw new UsageError(`--store takes a postgresql://USER@HOST:PORT/DATABASE URL (got '${redactUrl(given)}'); leave it out to keep the history in ${stateDir}.`);
    }
    url = given;
  }
  const artifacts = path.resolve(cwd, option(args, 'artifacts') ?? (env.MLOPS_ARTIFACTS || stateDir));
  return { url, stateDir, artifacts };
}

/** A URL with its password replaced, for messages and `store info`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

export { currentActor };
