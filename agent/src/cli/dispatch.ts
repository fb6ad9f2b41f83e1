import { UsageError } from '../util/args';
import type { Command } from './command';

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
    const e = err as NodeJS.ErrnoException;
    if (e.code && e.path) {
      process.stderr.write(`mlops ${cmd.name}: cannot read ${e.path} (${e.code}); check the path and its permissions.\n`);
      return 2;
    }
    process.stderr.write(`mlops ${cmd.name}: unexpected error: ${e.stack ?? e.message}\n`);
    return 2;
  }
}
