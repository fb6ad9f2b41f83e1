import { setFlagsFromString } from 'node:v8';

/**
 * The commands that analyse a project once and exit. In such a process V8's optimising
 * compiler (TurboFan) is spent, not earned: for a 5,000-task pipeline it compiles some sixty
 * hot functions on background threads for about 0.3 s of CPU, which the faster code does not
 * win back before the process ends, even at the largest file validation reads (2 MB). Maglev,
 * the tier below, still compiles hot code. Long-lived commands (agent, serve, run) keep both.
 */
export const ONE_SHOT_COMMANDS: readonly string[] = ['validate', 'export', 'dag'];

/** Turns the optimising compiler off when `command` is one of ONE_SHOT_COMMANDS; returns whether it did. */
export function tierForCommand(command: string | undefined): boolean {
  if (command === undefined || !ONE_SHOT_COMMANDS.includes(command)) return false;
  setFlagsFromString('--no-opt');
  return true;
}
