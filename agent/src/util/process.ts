import { processStatus } from './proc';

/**
 * kill(2) for a pid or (negative) process group: true when delivered, or when the target
 * exists but is not ours. The agent asks about ended process groups thousands of times a
 * run and the answer is usually "gone" (ESRCH); Node reports that as an exception, so the
 * stack trace it would capture for nothing is switched off for the call.
 */
function kill(target: number, signal: NodeJS.Signals | 0): boolean {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    process.kill(target, signal);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * True if a process with this pid exists (and, when a token is given, is the same process
 * and has not exited: an agent killed but not yet reaped — some inits reap only every second
 * or two — counts as gone).
 */
export function isAlive(pid: number, token: string | null = null): boolean {
  if (!kill(pid, 0)) return false;
  if (token === null) return true;
  const status = processStatus(pid);
  if (!status) return true; // no /proc: the pid is all there is to go by
  return status.state !== 'Z' && status.start === token;
}

/** True while any process is in the process group. */
export function groupAlive(pgid: number): boolean {
  return kill(-pgid, 0);
}

/** Sends a signal to a whole process group; false when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  return kill(-pgid, signal);
}

/**
 * SIGTERM to each group still there, then SIGKILL to what is left after `grace` ms.
 * Usually only processes already on their way out remain, so the first checks come quickly.
 */
export async function stopGroups(groups: number[], grace: number): Promise<void> {
  let alive = groups.filter(groupAlive);
  if (alive.length === 0) return;
  for (const g of alive) signalGroup(g, 'SIGTERM');
  const deadline = Date.now() + grace;
  for (let wait = 1; alive.length > 0 && Date.now() < deadline; wait = Math.min(wait * 2, 50)) {
    await new Promise((r) => setTimeout(r, wait));
    alive = alive.filter(groupAlive);
  }
  for (const g of alive) signalGroup(g, 'SIGKILL');
}
