/** The team store settings as the environment of agents and CLI calls; no `vscode` import, so tests call it directly. */

import type { StoreSettings } from '../../../core/src/browser';

/** The URL without a password: what the secret is stored under and what messages show. */
export function withoutPassword(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, '$1@');
}

/** The environment every agent and CLI call gets for the store settings (nothing when they are empty). */
export function storeEnv(s: StoreSettings, password: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  if (s.url) env.MLOPS_STORE = s.url;
  if (s.artifacts) env.MLOPS_ARTIFACTS = s.artifacts;
  if (s.url && password) env.PGPASSWORD = password;
  return env;
}
