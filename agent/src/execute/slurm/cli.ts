import { spawn } from 'node:child_process';

/** The Slurm client commands the agent uses; found on PATH, configured by slurm.conf or SLURM_CONF. */
export type SlurmCommand = 'sbatch' | 'squeue' | 'sacct' | 'scancel' | 'scontrol';

/** How a Slurm command ended. */
export interface CommandResult {
  /** Exit status; null when it could not be started or was stopped for taking too long. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why it could not run at all (`ENOENT`: not installed), or that it timed out. */
  failure: 'missing' | 'timeout' | null;
}

/** Long enough for a controller that is slow but alive; the clients themselves give up on a dead one after ~10 s. */
const COMMAND_TIMEOUT_MS = 60_000;

/** Runs a Slurm client command, never throwing; `input` goes to its stdin (sbatch reads the job script there). */
export function slurm(command: SlurmCommand, args: string[], input?: string): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: { ...process.env, SLURM_TIME_FORMAT: 'standard' } });
    let stdout = '';
    let stderr = '';
    let failure: CommandResult['failure'] = null;
    const timer = setTimeout(() => {
      failure = 'timeout';
      child.kill('SIGKILL');
    }, COMMAND_TIMEOUT_MS);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') failure = 'missing';
      else stderr += e.message;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: failure ? null : code, stdout, stderr, failure });
    });
    if (input !== undefined) {
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(input);
    }
  });
}

/**
 * Errors that mean "the controller cannot be reached right now" (stopped, restarting,
 * overloaded), as opposed to a refusal: those are retried for the grace period.
 */
const TRANSIENT =
  /Unable to contact slurm controller|Socket timed out|Unexpected message received|Connection refused|Connection reset|Transport endpoint is not connected|Zero Bytes were transmitted|temporarily unable|Resource temporarily unavailable|Communication connection failure|backup controller in standby|not responding|Slurmctld is busy/i;

/** Whether a failed command may succeed when tried again later. */
export function isTransient(r: CommandResult): boolean {
  return r.failure === 'timeout' || TRANSIENT.test(r.stderr);
}

/** Slurm's own words from a failed command, without the `sbatch: error:` prefixes, on one line. */
export function slurmMessage(r: CommandResult, command: SlurmCommand): string {
  if (r.failure === 'missing') return `${command} is not installed or not on PATH; install Slurm's client commands (Debian: slurm-client) or run with --executor local`;
  if (r.failure === 'timeout') return `${command} did not answer within ${COMMAND_TIMEOUT_MS / 1000} s`;
  const text = r.stderr
    .split('\n')
    .map((l) =>
      l
        .replace(/^\s*(sbatch|squeue|sacct|scancel|scontrol|slurm_load_jobs)(:? error)?:\s*/i, '')
        .replace(/^error:\s*/i, '')
        .trim(),
    )
    .filter(Boolean)
    .join('; ');
  return text || `${command} exited with status ${r.code}`;
}
