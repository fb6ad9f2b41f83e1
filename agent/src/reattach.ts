import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isTaskEnded, type TaskRecord } from '../../core/src/protocol/agent';
import { loadPipelineFile } from './load';
import { makePlan } from './plan';
import { logLimit } from './execute/log-limit';
import { busyMessage, schedule, type ActiveRun, type RunHost, type StartError } from './runner';
import { PipelineLocks } from './state/locks';
import type { Adoption, InFlight } from './schedule/scheduler';
import type { StoreConfig } from './state/config';
import type { OwnedRun, Store } from './state/store';
import { processStartToken } from './util/proc';
import { isAlive } from './util/process';
import { err, type Result } from '../../core/src/result';

/**
 * Cluster jobs outlive the agent that submitted them (SIGKILL, a closed laptop). A run
 * whose agent died while jobs of its were in flight is not interrupted: another agent
 * takes it over — follows those jobs by their recorded ids (or finds a job whose id was
 * never recorded by its name and comment), records how they end, and submits what is
 * left, so the run ends as it would have. Nothing is submitted twice for one attempt.
 */

/** Running runs of this machine whose agent is gone while some of their cluster attempts are in flight. */
export async function adoptableRuns(store: Store): Promise<OwnedRun[]> {
  const out: OwnedRun[] = [];
  for (const r of await store.runningRuns()) {
    if (r.agentPid !== process.pid && !isAlive(r.agentPid, r.agentStart) && (await store.clusterAttempts(r.id)).length > 0) out.push(r);
  }
  return out;
}

// The take-over cannot go on for a reason the caller only reports (no branch depends on it).
const fail = (message: string) => err<StartError>({ kind: 'plan', message });

/** Claims a run from its dead agent for this process and goes on with it. */
export async function adoptRun(host: RunHost, owner: OwnedRun): Promise<Result<ActiveRun, StartError>> {
  const store = host.store;
  const me = { pid: process.pid, start: processStartToken(process.pid) };
  const recorded = (await store.run(owner.id))!;
  // The pipeline first, then the run: a command waiting for the take-over sees the run
  // claimed only once no new run of the pipeline can start beside it.
  const file = recorded.summary.file;
  const locks = new PipelineLocks(store.stateDir);
  const holder = locks.acquire(file, owner.id);
  if (holder) {
    locks.close();
    return err<StartError>({ kind: 'busy', message: `${busyMessage(recorded.summary.pipeline, holder)} Run ${owner.id} is taken over when it ends.`, runId: holder.runId });
  }
  const release = () => {
    locks.release(file, owner.id);
    locks.close();
  };
  if (!(await store.claimRun(owner.id, owner, me))) {
    release();
    return fail(`Run ${owner.id} has been taken over by another agent.`);
  }
  const giveBack = async () => {
    await store.claimRun(owner.id, { id: owner.id, agentPid: me.pid, agentStart: me.start }, { pid: owner.agentPid, start: owner.agentStart });
    release();
  };
  const flights = await store.clusterAttempts(owner.id);
  const jobs = flights.map((f) => f.jobId ?? `(${f.task}, id not recorded)`).join(', ');
  const loaded = loadPipelineFile(recorded.summary.file, host.cwd);
  if (!loaded.ok) {
    // Without its pipeline nothing more can be submitted: say where the jobs are and stop here.
    await store.markInterrupted(owner.id, new Date().toISOString(), `interrupted: its agent stopped and the run cannot be taken over (${loaded.error.message}); its Slurm jobs ${jobs} may still be running (squeue)`);
    release();
    return err(loaded.error);
  }
  const options = await store.runOptions(owner.id);
  const cache = await store.cacheEntries(loaded.value.file);
  const tasks = new Map(recorded.record.tasks.map((t) => [t.id, t]));
  const inFlightIds = new Set(flights.map((f) => f.task));
  const unknown = [...tasks.keys()].filter((id) => !loaded.value.pipeline.tasks.has(id) && !isTaskEnded(tasks.get(id)!.status));
  if (unknown.length > 0) {
    await store.markInterrupted(owner.id, new Date().toISOString(), `interrupted: its agent stopped, and the pipeline no longer has task ${unknown.join(', ')}; its Slurm jobs ${jobs} may still be running (squeue)`);
    release();
    return fail(`the pipeline no longer has task ${unknown.join(', ')}`);
  }
  const selected = loaded.value.order.filter((id) => tasks.has(id) && (inFlightIds.has(id) || !isTaskEnded(tasks.get(id)!.status)));
  const done = (t: TaskRecord | undefined) => t !== undefined && (t.status === 'succeeded' || t.status === 'cached');
  const plan = makePlan(loaded.value, {
    runId: owner.id,
    params: recorded.record.params,
    selected,
    external: (id) => (done(tasks.get(id)) ? tasks.get(id)!.fingerprint : (cache.get(id) ?? null)),
    force: options.force ?? false,
    ...(options.executor ? { executor: options.executor } : {}),
  });
  if (!plan.ok) {
    await giveBack();
    return fail(plan.error);
  }
  const failed = recorded.record.tasks.find((t) => t.status === 'failed');
  const inFlight = new Map<string, InFlight>();
  for (const f of flights) {
    const startedAt = Date.parse(f.startedAt);
    inFlight.set(f.task, { attempt: f.attempt, job: { jobId: f.jobId, submittedAt: new Date(startedAt) }, startedAt, announced: f.status === 'running' });
  }
  const adoption: Adoption = {
    inFlight,
    attempts: new Map(selected.filter((id) => !inFlight.has(id)).map((id) => [id, tasks.get(id)!.attempts])),
    stopping: failed && !options.keepGoing ? `not started because task '${failed.id}' failed` : null,
    anyFailed: failed !== undefined,
    message: `its agent (pid ${owner.agentPid}) stopped while Slurm ran ${plural(flights.length, 'job')} of it (${jobs}); agent pid ${process.pid} follows them and runs what is left`,
  };
  // schedule gives the pipeline back once the run ends, or at once when it cannot start.
  const run = await schedule(host, plan.value, options, recorded.summary.trigger, { release, logBytes: logLimit(undefined), adoption });
  if (!run.ok) await store.claimRun(owner.id, { id: owner.id, agentPid: me.pid, agentStart: me.start }, { pid: owner.agentPid, start: owner.agentStart });
  return run;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** How long a command waits for the agent it started to take a run over, so what it prints already says so. */
const CLAIM_WAIT_MS = 10_000;

/**
 * For short-lived commands (`mlops runs`, `mlops run`): each adoptable run is taken over by
 * a background `mlops runs reattach RUN` of its own, which lives until the run ends (its
 * output goes to `reattach.log` in the run's folder). Waits until each has claimed its run.
 */
export async function reattachInBackground(store: Store, config: StoreConfig): Promise<void> {
  const runs = await adoptableRuns(store);
  if (runs.length === 0) return;
  const entry = process.argv[1];
  if (!entry) return;
  for (const r of runs) {
    const dir = store.runDir(r.id);
    fs.mkdirSync(dir, { recursive: true });
    const out = fs.openSync(path.join(dir, 'reattach.log'), 'a');
    // The same store: a team store's URL (it may hold a password) goes by the environment, not the arguments.
    const child = spawn(process.execPath, [...process.execArgv, entry, 'runs', 'reattach', r.id, '--state-dir', config.stateDir, '--artifacts', config.artifacts], {
      cwd: process.cwd(),
      detached: true,
      stdio: ['ignore', out, out],
      env: config.url ? { ...process.env, MLOPS_STORE: config.url } : process.env,
    });
    fs.closeSync(out);
    child.unref();
  }
  const deadline = Date.now() + CLAIM_WAIT_MS;
  const waiting = new Set(runs.map((r) => r.id));
  while (waiting.size > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = new Map((await store.runningRuns()).map((r) => [r.id, r]));
    for (const id of [...waiting]) {
      const r = now.get(id);
      if (!r || r.agentPid !== runs.find((x) => x.id === id)!.agentPid) waiting.delete(id);
    }
  }
}
