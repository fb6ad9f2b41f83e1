import * as fs from 'node:fs';
import * as path from 'node:path';
import { killCgroup, removeCgroup, runCgroupPath } from './execute/escapes';
import { killGraceMs } from './execute/executor';
import { LANE, moveLog } from './state/logs';
import type { Store } from './state/store';
import { environ, environHas, hasProcFs, listProcesses, type ProcEntry } from './util/proc';
import { groupAlive, isAlive, stopGroups } from './util/process';

/**
 * Cleans up after agents that died mid-run (SIGKILL, crash, power cut of the terminal):
 * every run still marked running whose agent is gone is marked `interrupted`, and the task
 * process groups and containers it left behind are stopped. Runs of live agents — another
 * terminal, the editor's agent — are left alone. A run with cluster jobs in flight stays
 * running, to be taken over (reattach.ts): only what it ran on this machine is stopped, and
 * those tasks wait to run again. Returns the ids of interrupted runs.
 */
export async function recoverInterrupted(store: Store, removeContainers?: (runId: string) => Promise<void>): Promise<string[]> {
  const interrupted: string[] = [];
  for (const run of await store.runningRuns()) {
    if (run.agentPid === process.pid || isAlive(run.agentPid, run.agentStart)) continue;
    const marker = `MLOPS_RUN_ID=${run.id}`;
    const attempts = await store.runningAttempts(run.id);
    const procs = listProcesses();
    const groups = new Set<number>();
    for (const a of attempts) if (a.pid !== null && ownedBy(a.pid, marker, procs)) groups.add(a.pid);
    // Processes whose start was never committed (the agent died in between) still carry the
    // run id. Those of a Slurm job carry it too (a node may be this machine): they are the
    // cluster's, and their run is taken over, not stopped.
    for (const p of procs) {
      if (groups.has(p.pgid) || p.pgid <= 1) continue;
      const env = environ(p.pid);
      if (env.includes(marker) && !env.some((e) => e.startsWith('SLURM_JOB_ID='))) groups.add(p.pgid);
    }
    const message = `interrupted: the agent running it (pid ${run.agentPid}) stopped unexpectedly`;
    const onCluster = (await store.clusterAttempts(run.id)).length > 0;
    if (onCluster) await store.interruptLocalAttempts(run.id, new Date().toISOString(), message);
    else await store.markInterrupted(run.id, new Date().toISOString(), message);
    // A short grace: these processes lost their agent and nobody waits for their results.
    await stopGroups([...groups], Math.min(killGraceMs(), 3000));
    // Its cgroup, when it had one (and this agent sees the same one): whatever is still in it.
    await emptyCgroup(runCgroupPath(run.id));
    // What tasks wrote into log lanes becomes their logs; the lanes go.
    for (const a of attempts) {
      const log = store.logPath(run.id, a.task);
      if (a.log && a.log !== log) moveLog(a.log, log);
    }
    const dir = store.runDir(run.id);
    for (const f of safeList(dir)) if (LANE.test(f)) fs.rmSync(path.join(dir, f), { force: true });
    if (removeContainers && attempts.some((a) => a.pid === null)) await removeContainers(run.id);
    if (!onCluster) interrupted.push(run.id);
  }
  return interrupted;
}

/** Whether process group `pgid` still belongs to the run: on Linux one of its members carries the run id. */
function ownedBy(pgid: number, marker: string, procs: ProcEntry[]): boolean {
  if (!groupAlive(pgid)) return false;
  if (!hasProcFs()) return true;
  return procs.some((p) => p.pgid === pgid && environHas(p.pid, marker));
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

async function emptyCgroup(dir: string | null): Promise<void> {
  if (!dir || !fs.existsSync(dir)) return;
  const deadline = Date.now() + 3000;
  for (let wait = 1; Date.now() < deadline; wait = Math.min(wait * 2, 50)) {
    killCgroup(dir);
    if (removeCgroup(dir)) return;
    await new Promise((r) => setTimeout(r, wait));
  }
}
