/** Running the real `mlops` binary from tests. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

// Compiled to out/test/cli/, so the repository root is three levels up.
export const REPO = path.resolve(__dirname, '../../..');
export const BIN = path.join(REPO, 'bin', 'mlops.js');
/** The Node the project installs (24); bin/mlops.js re-executes itself with it on an older one. */
export const NODE24 = path.join(REPO, 'node_modules', '.bin', 'node');
export const CHURN = path.join(REPO, 'examples', 'churn');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `mlops` binary as a child process (stdout is a pipe, so not a TTY). */
export function mlops(args: string[], cwd: string, node = NODE24): Run {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  const r = spawnSync(node, [BIN, ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
