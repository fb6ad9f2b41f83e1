import type { Command } from './command';
import { dispatch } from './dispatch';

/**
 * Every sub-command, in the order `mlops --help` lists them, each loaded only when it runs:
 * the commands between them pull in core, YAML, SQLite, Docker and git clients, which
 * `mlops --version` and any one command do not need (a terminal `mlops` starts that much sooner).
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  validate: () => import('./validate.js').then((m) => m.validateCommand),
  run: () => import('./run.js').then((m) => m.runCommand),
  runs: () => import('./runs.js').then((m) => m.runsCommand),
  agent: () => import('./agent.js').then((m) => m.agentCommand),
  serve: () => import('./serve.js').then((m) => m.serveCommand),
  dag: () => import('./dag.js').then((m) => m.dagCommand),
  export: () => import('./export.js').then((m) => m.exportCommand),
  devcontainer: () => import('./devcontainer.js').then((m) => m.devcontainerCommand),
  models: () => import('./models.js').then((m) => m.modelsCommand),
  features: () => import('./features.js').then((m) => m.featuresCommand),
  store: () => import('./store.js').then((m) => m.storeCommand),
};

async function help(): Promise<string> {
  const all = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  const width = Math.max(...all.map((c) => c.name.length));
  return [
    'mlops — pipelines, runs, models and dev containers for ML projects',
    '',
    'Usage: mlops <command> [options]',
    '',
    ...all.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'mlops <command> --help' for a command's options.",
  ].join('\n');
}

/** Runs the CLI; its exit code is one of dispatch's EXIT. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${await help()}\n`);
    return name ? 0 : 2;
  }
  if (name === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const load = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    process.stderr.write(`mlops: unknown command '${name}'.\n\n${await help()}\n`);
    return 2;
  }
  return dispatch(await load(), rest);
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.1.0';
