import type { Command } from './command';
import { dispatch } from './dispatch';
import { dagCommand } from './dag';
import { exportCommand } from './export';
import { devcontainerCommand } from './devcontainer';
import { featuresCommand } from './features';
import { modelsCommand } from './models';
import { runCommand } from './run';
import { runsCommand } from './runs';
import { agentCommand } from './agent';
import { serveCommand } from './serve';
import { storeCommand } from './store';
import { validateCommand } from './validate';

/** Every sub-command, in the order `mlops --help` lists them. */
export const COMMANDS: Command[] = [validateCommand, runCommand, runsCommand, agentCommand, serveCommand, dagCommand, exportCommand, devcontainerCommand, modelsCommand, featuresCommand, storeCommand];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'mlops — pipelines, runs, models and dev containers for ML projects',
    '',
    'Usage: mlops <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'mlops <command> --help' for a command's options.",
  ].join('\n');
}

/** Runs the CLI; its exit code is one of dispatch's EXIT. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name ? 0 : 2;
  }
  if (name === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`mlops: unknown command '${name}'.\n\n${help()}\n`);
    return 2;
  }
  return dispatch(cmd, rest);
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.1.0';
