import { execFile } from 'node:child_process';
import { parseNvidiaSmi, type HostGpu } from '../../../core/src/devcontainer/index';

/** How long `nvidia-smi` may take; a hung driver must not hang generation. */
const TIMEOUT_MS = 5000;

function run(args: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('nvidia-smi', args, { timeout: TIMEOUT_MS, env, windowsHide: true }, (err, stdout) => resolve(err ? undefined : stdout));
  });
}

/**
 * Asks `nvidia-smi` (found on PATH) about the host's GPUs. Undefined when it is missing,
 * fails, or times out — all of which mean "no usable GPU here".
 */
export async function probeHostGpu(env: NodeJS.ProcessEnv = process.env): Promise<HostGpu | undefined> {
  const [banner, list] = await Promise.all([run([], env), run(['-L'], env)]);
  if (banner === undefined) return undefined;
  return parseNvidiaSmi(banner, list ?? '');
}
