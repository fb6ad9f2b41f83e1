#!/usr/bin/env node
// npm run pack:cli — packs the `mlops` command alone as mlops-cli-<version>.tgz, for machines
// without the extension (CI runners, servers): `npm install -g ./mlops-cli-<version>.tgz`.
// The package holds bin/mlops.js and the self-contained dist/agent.js, nothing else, and
// installs without the network (no dependencies). Run after `npm run build`.
//
//   node scripts/pack-cli.mjs [--out DIR]     (default: the repository root)
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Packs the CLI into `outDir`; returns the tarball's path. Throws with a reason on failure. */
export function packCli(outDir = root) {
  const agent = join(root, 'dist', 'agent.js');
  if (!existsSync(agent)) throw new Error(`${relative(process.cwd(), agent)} is missing; run \`npm run build\` first.`);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const stage = mkdtempSync(join(tmpdir(), 'mlops-cli-pack-'));
  try {
    mkdirSync(join(stage, 'bin'));
    mkdirSync(join(stage, 'dist'));
    copyFileSync(join(root, 'bin', 'mlops.js'), join(stage, 'bin', 'mlops.js'));
    copyFileSync(agent, join(stage, 'dist', 'agent.js'));
    if (existsSync(join(root, 'LICENSE'))) copyFileSync(join(root, 'LICENSE'), join(stage, 'LICENSE'));
    writeFileSync(
      join(stage, 'README.md'),
      `# mlops\n\nThe command line of MLOps Workbench: validate, run and export pipelines, browse runs and models.\nNeeds Node.js 22.13 or newer. \`mlops --help\` lists the commands; see docs/cli.md in the project.\n`,
    );
    writeFileSync(
      join(stage, 'package.json'),
      `${JSON.stringify(
        {
          name: 'mlops-cli',
          version: pkg.version,
          description: 'The mlops command of MLOps Workbench, without the editor extension.',
          license: pkg.license,
          bin: { mlops: 'bin/mlops.js' },
          files: ['bin/mlops.js', 'dist/agent.js'],
          engines: { node: '>=22.13' },
        },
        null,
        2,
      )}\n`,
    );
    mkdirSync(outDir, { recursive: true });
    const r = spawnSync('npm', ['pack', '--pack-destination', outDir, '--silent'], { cwd: stage, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
    if (r.status !== 0) throw new Error(`npm pack failed: ${r.stderr.trim() || r.status}`);
    return join(outDir, r.stdout.trim().split('\n').pop());
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  try {
    const file = packCli(i > 0 ? resolve(process.argv[i + 1]) : root);
    const shown = relative(process.cwd(), file).startsWith('..') ? file : `./${relative(process.cwd(), file)}`;
    console.log(`pack:cli: ${shown}; install it with: npm install -g ${shown}`);
  } catch (err) {
    console.error(`pack:cli: ${err.message}`);
    process.exit(1);
  }
}
