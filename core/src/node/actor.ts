/**
 * Who this process records runs and model versions as (Node only): the agent stamps it on
 * what it writes, and the editor compares with it to tell its own from a teammate's.
 */
import * as os from 'node:os';

/** A user and the machine they work on. */
export interface Actor {
  user: string;
  host: string;
}

/** `MLOPS_USER`/`MLOPS_HOST` (CI containers, tests), else the login name and host name. */
export function currentActor(env: NodeJS.ProcessEnv = process.env): Actor {
  let user = env.MLOPS_USER;
  if (!user) {
    try {
      user = os.userInfo().username;
    } catch {
      user = env.USER ?? 'unknown';
    }
  }
  return { user, host: env.MLOPS_HOST || os.hostname() };
}
