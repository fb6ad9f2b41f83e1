/**
 * The `mlops` command on PATH: a small launcher script ("shim") that runs the extension's
 * bundled CLI (dist/agent.js) with a suitable Node, the way VS Code's own `code` command
 * points at its install. Pure Node (no vscode), so tests and scripts/bench-cli.mjs use
 * the very code the extension runs.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nodeCanRunAgent } from '../agent/launch';

/** The line every shim carries, so that uninstalling never removes someone else's `mlops`. */
export const SHIM_MARK = 'installed by the MLOps Workbench extension ("MLOps: Install \'mlops\' Command in PATH")';

/** What a shim runs. */
export interface ShimTarget {
  /** The runtime: a Node ≥ 22.13, or the editor's own Electron (which then runs as Node). */
  node: string;
  /** The bundled CLI, `<extension>/dist/agent.js`. */
  cli: string;
}

/** The file name of the command on this platform. */
export function shimName(platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? 'mlops.cmd' : 'mlops';
}

/**
 * The launcher script. It says what to do when the extension it points at is gone (updated
 * or uninstalled), keeps V8's compiled code between calls (NODE_COMPILE_CACHE: each call
 * after the first starts ~30 ms sooner) and lets Electron run as plain Node.
 */
export function shimText(t: ShimTarget, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    return [
      '@echo off',
      `rem mlops: ${SHIM_MARK}.`,
      `if not exist "${t.cli}" (`,
      `  echo mlops: the MLOps Workbench extension this command points to is gone; run "MLOps: Install 'mlops' Command in PATH" again. 1>&2`,
      '  exit /b 127',
      ')',
      'setlocal',
      'set ELECTRON_RUN_AS_NODE=1',
      'if not defined NODE_COMPILE_CACHE set "NODE_COMPILE_CACHE=%TEMP%\\mlops-node-compile-cache"',
      `"${t.node}" "${t.cli}" %*`,
      '',
    ].join('\r\n');
  }
  return [
    '#!/bin/sh',
    `# mlops: ${SHIM_MARK}.`,
    '# Remove it with "MLOps: Uninstall \'mlops\' Command from PATH", or delete this file.',
    `cli=${shQuote(t.cli)}`,
    'if [ ! -f "$cli" ]; then',
    `  echo "mlops: the MLOps Workbench extension this command points to is gone ($cli); run \\"MLOps: Install 'mlops' Command in PATH\\" again." >&2`,
    '  exit 127',
    'fi',
    `NODE_COMPILE_CACHE="\${NODE_COMPILE_CACHE:-\${TMPDIR:-/tmp}/mlops-node-compile-cache}" ELECTRON_RUN_AS_NODE=1 exec ${shQuote(t.node)} "$cli" "$@"`,
    '',
  ].join('\n');
}

/** A POSIX shell word that is exactly `s`. */
function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The target a shim file points at, or undefined when the file is not one of ours. */
export function readShim(text: string): ShimTarget | undefined {
  if (!text.includes(SHIM_MARK)) return undefined;
  const posix = /^cli='((?:[^']|'\\'')*)'$/m.exec(text);
  const posixNode = /exec '((?:[^']|'\\'')*)' "\$cli"/.exec(text);
  if (posix && posixNode) return { cli: unquote(posix[1]!), node: unquote(posixNode[1]!) };
  const win = /^"([^"]+)" "([^"]+)" %\*\r?$/m.exec(text);
  return win ? { node: win[1]!, cli: win[2]! } : undefined;
}

function unquote(s: string): string {
  return s.replace(/'\\''/g, "'");
}

/** The outcome of installing: where the command is, and whether PATH already finds it there. */
export interface Installed {
  file: string;
  onPath: boolean;
}

/**
 * Writes the shim into `dir` (created if missing), replacing an earlier one of ours but
 * never another program's `mlops`. The file appears whole or not at all.
 */
export async function installShim(dir: string, target: ShimTarget, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Promise<Installed> {
  const file = path.join(dir, shimName(platform));
  const existing = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (existing !== undefined && !readShim(existing)) {
    throw new Error(`${file} already exists and was not installed by MLOps Workbench; remove or rename it, or pick another folder.`);
  }
  await fs.mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, shimText(target, platform), { mode: 0o755 });
  await fs.rename(tmp, file);
  return { file, onPath: onPath(dir, env, platform) };
}

/** Removes our shim from `dir`; false when there is none (another program's `mlops` stays). */
export async function uninstallShim(dir: string, platform: NodeJS.Platform = process.platform): Promise<boolean> {
  const file = path.join(dir, shimName(platform));
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined || !readShim(text)) return false;
  await fs.rm(file, { force: true });
  return true;
}

/** Whether `dir` is one of the folders of PATH. */
export function onPath(dir: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): boolean {
  const sep = platform === 'win32' ? ';' : ':';
  const norm = (p: string) => path.resolve(p).replace(/[\\/]+$/, '');
  const want = norm(dir);
  return (env.PATH ?? env.Path ?? '')
    .split(sep)
    .filter(Boolean)
    .some((p) => (platform === 'win32' ? norm(p).toLowerCase() === want.toLowerCase() : norm(p) === want));
}

/** Where the command goes unless the user picks another folder: the per-user bin folder. */
export function defaultShimDir(home: string = os.homedir(), platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? path.join(home, 'AppData', 'Local', 'Programs', 'mlops', 'bin') : path.join(home, '.local', 'bin');
}

/**
 * The runtime for the shim: the first `node` on PATH that can run the agent (Node ≥ 22.13
 * starts fastest), else the editor's own runtime (`fallback`, Electron run as Node).
 * Asking a `node` its version runs it, so callers do this only in a trusted workspace.
 */
export async function pickNode(fallback: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Promise<string> {
  const sep = platform === 'win32' ? ';' : ':';
  const exe = platform === 'win32' ? 'node.exe' : 'node';
  for (const dir of (env.PATH ?? env.Path ?? '').split(sep).filter(Boolean)) {
    const candidate = path.join(dir, exe);
    const version = await nodeVersion(candidate);
    if (version && nodeCanRunAgent(version)) return candidate;
  }
  return fallback;
}

function nodeVersion(file: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(file, ['-p', 'process.versions.node'], { timeout: 5000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }, (err, out) => resolve(err ? undefined : out.trim()));
  });
}
