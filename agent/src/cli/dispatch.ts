import { explainStateError, StoreError } from '../state/errors';
import { InputError, UsageError } from '../util/args';
import type { Command } from './command';

/**
 * Exit codes of every command (docs/cli.md): 0 done, 1 the command found a problem, 2 usage
 * or input error, 70 an internal error (sysexits' EX_SOFTWARE, so a script can tell a bug
 * from a bad argument), 75 busy: another run holds the pipeline (EX_TEMPFAIL: try again
 * later), 130 cancelled by Ctrl-C (128 + SIGINT).
 */
export const EXIT = { ok: 0, problems: 1, usage: 2, internal: 70, busy: 75, cancelled: 130 } as const;

/** Runs one command with its arguments: `--help`, then the command, its failures as exit codes. */
export async function dispatch(cmd: Command, rest: string[]): Promise<number> {
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`Usage: ${cmd.usage}\n\n${cmd.summary}.\n`);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`mlops ${cmd.name}: ${err.message}\nUsage: ${cmd.usage}\n`);
      return 2;
    }
    if (err instanceof InputError || err instanceof StoreError) {
      process.stderr.write(`mlops ${cmd.name}: ${err.message}\n`);
      return 2;
    }
    const e = err as NodeJS.ErrnoException;
    // SQLite failures are always about the state database: one sentence, no stack trace.
    const state = e.code === 'ERR_SQLITE_ERROR' ? explainStateError(e) : undefined;
    if (state) {
      process.stderr.write(`mlops ${cmd.name}: ${state.message}\n`);
      return 2;
    }
    if ((e.code === 'ENOSPC' || e.code === 'EDQUOT') && e.path) {
      process.stderr.write(`mlops ${cmd.name}: cannot write ${e.path}: the disk is full; free some space, then try again.\n`);
      return 2;
    }
    if (e.code && e.path) {
      process.stderr.write(`mlops ${cmd.name}: cannot read ${e.path} (${e.code}); check the path and its permissions.\n`);
      return 2;
    }
    process.stderr.write(`mlops ${cmd.name}: internal error, please report it with this output: ${e.stack ?? e.message}\n`);
    return EXIT.internal;
  }
}
