import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RunRecord } from '../../core/src/protocol/agent';
import { tempDir } from '../files';
import { repoRoot } from './helpers';

/**
 * What the Slurm tests need of the real cluster scripts/slurm-up.sh starts: whether it
 * answers, a PATH that logs every Slurm command the agent runs, and the cluster's own view
 * of jobs (squeue, scontrol) to check the agent against.
 */

/**
 * scripts/slurm-lock.mjs: the cluster's lock (one test run at a time on the machine's one
 * cluster, shared with the e2e check and the bench), the readiness check and the command log.
 */
interface ClusterKit {
  holdCluster(deadlineMs: number, onWait: () => void): Promise<() => Promise<void>>;
  clusterReady(ms?: number): Promise<string | undefined>;
  commandLog(dir: string, commands: readonly string[]): { env: NodeJS.ProcessEnv; reset(): void; calls(): Call[] };
}
const clusterKit = (): Promise<ClusterKit> => import(pathToFileURL(path.join(repoRoot, 'scripts', 'slurm-lock.mjs')).href) as Promise<ClusterKit>;

/** The file of the lock, for messages. */
export const CLUSTER_LOCK = '/tmp/mlops-slurm.lock';

/**
 * Waits (up to `deadlineMs`) for the cluster's lock and holds it until the returned release is
 * called. `flock` holds it for us; if this process dies, its pipe closes and the lock goes too.
 */
export async function holdCluster(deadlineMs: number, onWait: () => void): Promise<() => Promise<void>> {
  return (await clusterKit()).holdCluster(deadlineMs, onWait);
}

/** Why the cluster cannot be used after up to a minute's wait, or undefined when both nodes are up. */
export async function clusterReady(): Promise<string | undefined> {
  return (await clusterKit()).clusterReady();
}

const COMMANDS = ['sbatch', 'squeue', 'sacct', 'scancel', 'scontrol'] as const;

/** One Slurm command the agent ran. */
export interface Call {
  at: number;
  command: (typeof COMMANDS)[number];
  args: string;
}

/**
 * A folder of wrappers that log each Slurm command (time in ms, name, arguments) and run the
 * real one, first on PATH in `env`. `calls()` reads the log.
 */
export async function commandLog(): Promise<{ env: NodeJS.ProcessEnv; calls(): Call[]; cleanup(): void }> {
  const { dir, cleanup } = tempDir('mlops-slurm-path-');
  const log = (await clusterKit()).commandLog(dir, COMMANDS);
  return { env: log.env, calls: log.calls, cleanup };
}

/** Status queries are squeue, sacct and `scontrol show job`; sbatch, scancel and `scontrol ping` are not. */
export function statusQueries(calls: Call[]): Call[] {
  return calls.filter((c) => c.command === 'squeue' || c.command === 'sacct' || (c.command === 'scontrol' && c.args.startsWith('show job')));
}

/** `scontrol show job ID` as key → value (the controller keeps finished jobs for MinJobAge, 300 s). */
export function showJob(jobId: string): Record<string, string> {
  const out = execFileSync('scontrol', ['show', 'job', '--oneliner', jobId], { encoding: 'utf8' });
  const fields: Record<string, string> = {};
  for (const m of out.trim().matchAll(/(\S+?)=(\S*)/g)) fields[m[1]!] ??= m[2]!;
  return fields;
}

/** Jobs of a run still queued or running, by the comment the agent gives every job. */
export function liveJobsOf(runId: string): string[] {
  const out = execFileSync('squeue', ['--noheader', '--states=PENDING,RUNNING,CONFIGURING,COMPLETING,SUSPENDED', '--Format=JobID:|,Comment:|'], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.split('|').map((f) => f.trim()))
    .filter(([id, comment]) => id && comment?.startsWith(`mlops:${runId}:`))
    .map(([id]) => id!);
}

/** Every job the controller still knows with this name (the agent's `mlops:PIPELINE:TASK`). */
export function jobsNamed(name: string): { id: string; comment: string; state: string }[] {
  const out = execFileSync('squeue', ['--noheader', '--states=all', `--name=${name}`, '--Format=JobID:|,Comment:|,State:|'], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.split('|').map((f) => f.trim()))
    .filter(([id]) => id)
    .map(([id, comment, state]) => ({ id: id!, comment: comment!, state: state! }));
}

/** The agent's JSON for a run. */
export function runJson(stdout: string): RunRecord {
  return JSON.parse(stdout) as RunRecord;
}

/** Stops slurmctld (as an outage would); the cluster's state stays in its state folder. */
export function stopController(): void {
  const pid = Number(fs.readFileSync('/tmp/mlops-slurm/slurmctld.pid', 'utf8').trim());
  process.kill(pid, 'SIGTERM');
}

/** Starts whatever of the cluster is not running (scripts/slurm-up.sh is idempotent). */
export function startCluster(): void {
  execFileSync('bash', [path.join(repoRoot, 'scripts', 'slurm-up.sh')], { stdio: 'ignore', timeout: 120_000 });
}

export function controllerUp(): boolean {
  return spawnSync('scontrol', ['ping'], { encoding: 'utf8', timeout: 30_000 }).stdout?.includes('is UP') ?? false;
}

/** squeue's line for one job: state, reason and nodes (or what squeue said instead). */
export function queueLine(jobId: string): string {
  const r = spawnSync('squeue', ['--noheader', '--states=all', `--jobs=${jobId}`, '--Format=State:|,Reason:|,NodeList:|'], { encoding: 'utf8', timeout: 30_000 });
  return (r.stdout || r.stderr || `squeue exited ${r.status}`)
    .trim()
    .replace(/\s*\|\s*/g, ' ')
    .trim();
}

/** The queue, the nodes and the controller's last log lines, as text. */
export function clusterReport(): string {
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
    return `$ ${cmd} ${args.join(' ')}\n${(r.stdout + r.stderr).trim() || `(exit ${r.status})`}`;
  };
  const logFile = '/tmp/mlops-slurm/log/slurmctld.log';
  const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n') : '(no controller log)';
  return ['--- Slurm test cluster at the failure ---', run('sinfo', ['-N', '-o', '%N %T %E']), run('squeue', ['--states=all', '-o', '%i %j %T %r %N']), `$ tail ${logFile}\n${tail}`]
    .map((l) => l.replace(/^/gm, '      '))
    .join('\n');
}
