import * as fs from 'node:fs';
import * as path from 'node:path';
import { environValue, listProcesses, processEntry, processStartToken, type ProcEntry } from '../util/proc';
import { isAlive } from '../util/process';

/**
 * Finds what a run's tasks started outside their own process groups — a `setsid` daemon,
 * a double-forked server — and stops it once the task that started it has ended. Killing a
 * task's process group stops everything that stayed in the group; this covers the rest.
 *
 * Where the machine allows it (cgroup v2 mounted and our own cgroup writable, as for root or
 * in a systemd user slice), the run's launcher is moved into a cgroup of its own before it
 * forks anything, so every process of the run is in it whatever it does to its session or
 * environment; `cgroup.kill` empties it at the end. Elsewhere (or with MLOPS_CGROUP=0) the
 * processes started since the run began are scanned for the run's id in their environment,
 * as crash recovery does; a process that clears its environment escapes that scan.
 * A process is attributed to its task by MLOPS_TASK in its environment: while that task
 * runs, it is left alone (a task may start helpers); once it has ended, it gets SIGTERM and,
 * after the grace period, SIGKILL. What cannot be attributed is stopped when the run ends.
 */
export class EscapeTracker {
  /** The run's cgroup folder, or null when processes are found by scanning (or before the launcher starts). */
  cgroup: string | null;
  /** Processes already looked at that are not the run's (pid:start), so their environment is read once. */
  private readonly foreign = new Set<string>();
  /** Escaped processes sent SIGTERM, and when. */
  private readonly terminating = new Map<number, number>();
  /** The launcher processes (one per task running at once), which are not escapees themselves. */
  private readonly launchers = new Set<number>();
  /** When the first launcher process started: the run's processes start after it. */
  private since: number | null = null;

  constructor(private readonly runId: string) {
    this.cgroup = null;
  }

  /** A launcher process has just been spawned and has not forked yet: it joins the run's cgroup (made with the first). */
  adopt(pid: number): void {
    this.launchers.add(pid);
    this.since ??= Number(processStartToken(pid) ?? 0);
    this.cgroup ??= this.launchers.size === 1 ? createCgroup(this.runId) : null;
    if (!this.cgroup) return;
    try {
      fs.writeFileSync(path.join(this.cgroup, 'cgroup.procs'), String(pid));
    } catch {
      // Moving needs write access to our own cgroup too; without it, scan instead.
      removeCgroup(this.cgroup);
      this.cgroup = null;
    }
  }

  /** Whether anything is being stopped (the executor keeps polling while so). */
  get busy(): boolean {
    return this.terminating.size > 0;
  }

  /**
   * Looks for escaped processes of ended tasks (of any task once the run is `over`) and stops
   * them: SIGTERM now, SIGKILL once `grace` ms have passed. `groups` are the process groups
   * the executor already watches; `running` the tasks still running.
   */
  sweep(groups: ReadonlySet<number>, running: ReadonlySet<string>, grace: number, over: boolean): void {
    const now = Date.now();
    for (const p of this.candidates(groups)) {
      if (this.terminating.has(p.pid)) continue;
      const task = environValue(p.pid, 'MLOPS_TASK');
      if (!over && (task === undefined || running.has(task))) continue;
      signalEscapee(p, 'SIGTERM');
      this.terminating.set(p.pid, now);
    }
    for (const [pid, since] of this.terminating) {
      if (!isAlive(pid)) this.terminating.delete(pid);
      else if (now - since >= grace) {
        signalEscapee({ pid, pgid: pid }, 'SIGKILL');
        this.terminating.delete(pid);
      }
    }
  }

  /** The run is over: stops every process it left, waits up to `grace` ms before SIGKILL, and removes the cgroup. */
  async stopAll(groups: ReadonlySet<number>, grace: number): Promise<void> {
    this.sweep(groups, new Set(), grace, true);
    const deadline = Date.now() + grace;
    for (let wait = 1; this.terminating.size > 0 && Date.now() < deadline; wait = Math.min(wait * 2, 50)) {
      await new Promise((r) => setTimeout(r, wait));
      for (const pid of this.terminating.keys()) if (!isAlive(pid)) this.terminating.delete(pid);
    }
    for (const pid of this.terminating.keys()) signalEscapee({ pid, pgid: pid }, 'SIGKILL');
    this.terminating.clear();
    if (this.cgroup) killCgroup(this.cgroup, this.launchers);
  }

  /** Removes the cgroup once the launcher processes have gone (they are the last processes in it). */
  async release(): Promise<void> {
    if (!this.cgroup) return;
    const dir = this.cgroup;
    const deadline = Date.now() + 5000;
    for (let wait = 1; Date.now() < deadline; wait = Math.min(wait * 2, 50)) {
      if (removeCgroup(dir)) return;
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** Processes of the run outside the watched groups, other than the launcher processes. */
  private candidates(groups: ReadonlySet<number>): ProcEntry[] {
    const since = this.since;
    if (since === null) return [];
    const out: ProcEntry[] = [];
    if (this.cgroup) {
      for (const pid of cgroupPids(this.cgroup)) {
        if (this.launchers.has(pid)) continue;
        const p = processEntry(pid);
        if (p && !groups.has(p.pgid)) out.push(p);
      }
      return out;
    }
    for (const p of listProcesses()) {
      if (this.launchers.has(p.pid) || groups.has(p.pgid) || p.start < since) continue;
      const key = `${p.pid}:${p.start}`;
      if (this.foreign.has(key)) continue;
      // A Slurm job of the run carries its id too (a node may be this machine): it is the cluster's.
      if (environValue(p.pid, 'MLOPS_RUN_ID') === this.runId && environValue(p.pid, 'SLURM_JOB_ID') === undefined) out.push(p);
      else this.foreign.add(key);
    }
    return out;
  }
}

/** A process that leads its own group (a daemon after setsid) is stopped with its group. */
function signalEscapee(p: { pid: number; pgid: number }, signal: NodeJS.Signals): void {
  try {
    process.kill(p.pgid === p.pid ? -p.pid : p.pid, signal);
  } catch {
    // Gone already.
  }
}

/** The cgroup v2 folder this process is in, when cgroup v2 is mounted; null otherwise or with MLOPS_CGROUP=0. */
export function ownCgroup(): string | null {
  if (process.env.MLOPS_CGROUP === '0') return null;
  try {
    const own = fs
      .readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('0::'));
    if (!own) return null;
    for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const [pre, post] = line.split(' - ');
      if (!post?.startsWith('cgroup2 ')) continue;
      const f = pre!.split(' ');
      // Field 4 is the mount's root inside the hierarchy, field 5 where it is mounted.
      const rel = path.posix.relative(f[3]!, own.slice(3));
      if (rel.startsWith('..')) continue;
      return path.join(f[4]!.replace(/\\040/g, ' '), rel);
    }
  } catch {
    // No /proc: not Linux.
  }
  return null;
}

/** The folder a run's cgroup lives in, for its executor and for crash recovery. */
export function runCgroupPath(runId: string): string | null {
  const base = ownCgroup();
  return base && path.join(base, `mlops-run-${runId}`);
}

function createCgroup(runId: string): string | null {
  const dir = runCgroupPath(runId);
  if (!dir) return null;
  try {
    fs.mkdirSync(dir);
    return dir;
  } catch {
    return null;
  }
}

export function cgroupPids(dir: string): number[] {
  try {
    return fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** SIGKILL to everything in a cgroup (but `spare`): `cgroup.kill` where the kernel has it (5.14+), else each process. */
export function killCgroup(dir: string, spare?: ReadonlySet<number>): void {
  const pids = cgroupPids(dir).filter((p) => !spare?.has(p));
  if (pids.length === 0) return;
  if (!spare?.size) {
    try {
      fs.writeFileSync(path.join(dir, 'cgroup.kill'), '1');
      return;
    } catch {
      // Older kernel: one by one.
    }
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

/** Removes an empty cgroup; false while processes are still in it. */
export function removeCgroup(dir: string): boolean {
  try {
    fs.rmdirSync(dir);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
