#!/usr/bin/env node
// npm run lint / npm run format: ESLint and Prettier over the repository, from
// tools/lint/node_modules (installed here on first use with npm ci: typescript-eslint needs
// TypeScript 5's compiler API, the build uses TypeScript 7).
//   node tools/lint/run.mjs          check: ESLint, then Prettier --check (exit 1 on a finding)
//   node tools/lint/run.mjs --fix    fix what can be fixed: Prettier --write, then ESLint --fix
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const fix = process.argv.includes('--fix');
const bin = (name) => join(here, 'node_modules', '.bin', name);

function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`lint: ${what} ${r.status === null ? `stopped by ${r.signal}` : `exited ${r.status}`}${fix ? '' : '; npm run format fixes what it can'}.`);
    process.exit(r.status ?? 1);
  }
}

if (!existsSync(bin('eslint')) || !existsSync(bin('prettier'))) {
  run('npm', ['ci', '--prefix', here, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], 'installing the lint tools (npm ci in tools/lint)');
}
const eslint = [bin('eslint'), '--config', join(here, 'eslint.config.mjs'), '--max-warnings', '0', ...(fix ? ['--fix'] : []), '.'];
const prettier = [bin('prettier'), fix ? '--write' : '--check', '--log-level', fix ? 'warn' : 'log', '.'];
if (fix) {
  run(process.execPath, prettier, 'Prettier');
  run(process.execPath, eslint, 'ESLint');
} else {
  run(process.execPath, eslint, 'ESLint');
  run(process.execPath, prettier, 'Prettier');
}
