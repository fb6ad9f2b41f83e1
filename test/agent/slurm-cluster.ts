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
 * The test cluster is one per machine, and small (two nodes of one CPU): test runs of several
 * working copies at once would queue behind each other's jobs, place jobs where another run's
 * jobs left room, and the outage test stops the controller under everyone. So whatever uses
 * it (this file's tests, the e2e check, `npm run bench:slurm`) holds this lock meanwhile.
 */
export const CLUSTER_LOCK = '/tmp/mlops-slurm.lock';

/** scripts/slurm-lock.mjs: the lock and the readiness check the e2e check and the bench use too. */
interface ClusterLock {
  holdCluster(deadlineMs: number, onWait: () => void): Promise<() => Promise<void>>;
  clusterReady(ms?: number): Promise<string | undefined>;
}
const clusterLock = (): Promise<ClusterLock> => import(pathToFileURL(path.join(repoRoot, 'scripts', 'slurm-lock.mjs')).href) as Promise<ClusterLock>;

/**
 * Waits (up to `deadlineMs`) for the cluster's lock and holds it until the returned release is
 * called. `flock` holds it for us; if this process dies, its pipe closes and the lock goes too.
 */
export async function holdCluster(deadlineMs: number, onWait: () => void): Promise<() => Promise<void>> {
  return (await clusterLock()).holdCluster(deadlineMs, onWait);
}

/** Why the cluster cannot be used after up to a minute's wait, or undefined when both nodes are up. */
export async function clusterReady(): Promise<string | undefined> {
  return (await clusterLock()).clusterReady();
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
 * real one: put it first on PATH. `calls()` reads the log.
 */
export function commandLog(): { env: NodeJS.ProcessEnv; calls(): Call[]; cleanup(): void } {
  const { dir, cleanup } = tempDir('mlops-slurm-path-');
  const log = path.join(dir, 'calls.log');
  for (const c of COMMANDS) {
    const real = execFileSync('sh', ['-c', `command -v ${c}`], { encoding: 'utf8' }).trim();
    const file = path.join(dir, c);
    fs.writeFileSync(file, `#!/bin/sh\nprintf '%s %s %s\\n' "$(date +%s%3N)" ${c} "$*" >> '${log}'\nexec '${real}' "$@"\n`);
    fs.chmodSync(file, 0o755);
  }
  return {
    env: { PATH: `${dir}:${process.env.PATH ?? ''}` },
    calls: () =>
      (fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '')
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [at, command, ...args] = l.split(' ');
          return { at: Number(at), command: command as Call['command'], args: args.join(' ') };
        }),
    cleanup,
  };
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
