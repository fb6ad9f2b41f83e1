import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
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

/**
 * Waits (up to `deadlineMs`) for the cluster's lock and holds it until the returned release is
 * called. `flock` holds it for us; if this process dies, its pipe closes and the lock goes too.
 */
export async function holdCluster(deadlineMs: number, onWait: () => void): Promise<() => Promise<void>> {
  const child = spawn('flock', ['--exclusive', CLUSTER_LOCK, 'sh', '-c', 'echo held; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const release = async () => {
    child.stdin.end();
    await exited;
  };
  const held = new Promise<boolean>((resolve) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve(true));
    child.once('close', () => resolve(false));
    child.once('error', () => resolve(false));
  });
  const waiting = setTimeout(onWait, 1000);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs)));
  const got = await Promise.race([held, late]);
  clearTimeout(waiting);
  clearTimeout(timer);
  if (!got) {
    child.kill();
    await exited;
    throw new Error(`the Slurm test cluster stayed in use by another run for ${Math.round(deadlineMs / 60_000)} min (lock ${CLUSTER_LOCK}; see who holds it with: fuser -v ${CLUSTER_LOCK})`);
  }
  return release;
}

/** Why the cluster cannot be used, or undefined when `sinfo` reports both nodes. */
export function clusterProblem(): string | undefined {
  const r = spawnSync('sinfo', ['-h', '-N', '-o', '%N %T'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) return `sinfo cannot run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`;
  if (r.status !== 0) return `sinfo failed: ${r.stderr.trim()}`;
  const up = r.stdout.split('\n').filter((l) => /^n[12] (idle|mixed|allocated|completing)/.test(l));
  return up.length === 2 ? undefined : `the test cluster's nodes n1 and n2 are not both up (sinfo: ${r.stdout.trim() || 'nothing'})`;
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
