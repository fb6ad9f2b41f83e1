import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { PipelineProblem, RunEndStatus, RunEvent, RunOptions, RunRequest, RunTrigger } from '../../core/src/protocol/agent';
import type { Executor } from './execute/executor';
import { LocalExecutor } from './execute/local';
import { logLimit } from './execute/log-limit';
import { fingerprint, InputHasher, isCacheHit, type HashOutcome } from './fingerprint';
import { loadPipelineFile, type LoadedPipeline, type LoadError } from './load';
import { makePlan, resolveParams, resumeSelection, selectTasks, workspacePath, type ExecutorKind, type Plan, type PlanInput } from './plan';
import { registerModels } from './registry/hook';
import { Uploads } from './cache/uploads';
import { restoreOutputs } from './cache/shared-cache';
import type { ResourcePool } from './schedule/capacity';
import { Scheduler, type Adoption, type Decision } from './schedule/scheduler';
import type { StoreConfig } from './state/config';
import { PipelineLocks, type LockHolder } from './state/locks';
import type { SharedCacheEntry, Store } from './state/store';
import { err, ok, type Result } from '../../core/src/result';

/** What a run needs from the process that hosts it (CLI, RPC agent, serve). */
export interface RunHost {
  store: Store;
  /** Where the store is: model registration opens its own connection to it. */
  config: StoreConfig;
  cwd: string;
  /** The machine's resources; one pool for all the runs of an agent. */
  pool: ResourcePool;
  /** Receives each tick's events after they are committed. */
  onEvents(events: RunEvent[]): void;
}

/** A run in progress. */
export interface ActiveRun {
  id: string;
  plan: Plan;
  /** Resolves with the final status once everything is recorded. */
  done: Promise<RunEndStatus>;
  /** Cancels the run; false when it had already ended (its end is recorded, cleaning up may go on). */
  cancel(force?: boolean): boolean;
}

/**
 * Why a run did not start, as a sentence: the pipeline could not be loaded (LoadError's
 * kinds), its params or task selection are wrong (`plan`), an executor cannot run its
 * tasks here, e.g. no Docker engine or a missing image (`executor`), or another run of the
 * same pipeline holds it (`busy`, with that run's id).
 */
export type StartError = LoadError | { kind: 'plan'; message: string } | { kind: 'executor'; message: string } | { kind: 'busy'; message: string; runId: string };

/** The diagnostics a refusal carries: those of an invalid pipeline, else none. */
export function problemsOf(e: StartError): PipelineProblem[] {
  return e.kind === 'invalid' ? e.problems : [];
}

/** load → plan → prepare executors → schedule: starts a run, or says why it cannot start. */
export async function startRun(host: RunHost, req: RunRequest, trigger: RunTrigger): Promise<Result<ActiveRun, StartError>> {
  const loaded = loadPipelineFile(req.file, host.cwd);
  if (!loaded.ok) return loaded;
  const store = host.store;
  const runId = await newRunId(store);
  const cache = await store.cacheEntries(loaded.value.file);
  const input = await planInput(store, loaded.value, req, runId, cache);
  if (!input.ok) return err({ kind: 'plan', message: input.error });
  const plan = makePlan(loaded.value, input.value);
  if (!plan.ok) return err({ kind: 'plan', message: plan.error });

  // One run per pipeline at a time: taken before anything runs, given back once all is stopped.
  const file = loaded.value.file;
  const locks = new PipelineLocks(store.stateDir);
  const holder = locks.acquire(file, runId);
  if (holder) {
    locks.close();
    return err({ kind: 'busy', message: busyMessage(loaded.value.name, holder), runId: holder.runId });
  }
  const release = () => {
    locks.release(file, runId);
    locks.close();
  };
  return schedule(host, plan.value, runOptions(req), trigger, { release, logBytes: logLimit(req.logLimit) });
}

/** What `schedule` is given besides the plan: how to give its pipeline back, and for a run taken over, where it stood. */
export interface ScheduleHooks {
  /** Gives the pipeline's lock back; called once everything of the run has stopped (or it did not start). */
  release(): void;
  logBytes: number;
  adoption?: Adoption;
}

/**
 * prepare executors → schedule: runs a plan whose pipeline lock the caller holds (a new
 * run, or with `adoption` one taken over from an agent that died), or says why it cannot.
 */
export async function schedule(host: RunHost, plan: Plan, options: RunOptions, trigger: RunTrigger, hooks: ScheduleHooks): Promise<Result<ActiveRun, StartError>> {
  const { release } = hooks;
  const store = host.store;
  const runId = plan.runId;
  let executors: Partial<Record<ExecutorKind, Executor>>;
  try {
    executors = await createExecutors(plan, options.pull ?? false, hooks.logBytes, store);
    for (const ex of Object.values(executors)) {
      const ready = await ex.prepare(plan.tasks.filter((t) => t.executor === ex.kind));
      if (!ready.ok) {
        release();
        return err({ kind: 'executor', message: ready.error });
      }
    }
  } catch (e) {
    release();
    throw e;
  }

  fs.mkdirSync(store.runDir(runId), { recursive: true });
  const hasher = new InputHasher(store.hashes);
  const force = plan.force;
  const cache = await store.cacheEntries(plan.loaded.file);
  // Successes anyone uploaded (cache: shared), read once: decisions never wait for the store.
  const shared = force ? new Map<string, SharedCacheEntry>() : await store.sharedCacheFor(plan.tasks.filter((t) => t.cache).map((t) => t.id));
  const uploads = new Uploads(store, plan);
  const scheduler = new Scheduler(
    plan,
    {
      parallel: Math.max(1, options.parallel ?? host.pool.capacity.cpu),
      // Jobs wait in the cluster's queue, not here: only an explicit --parallel limits them.
      remoteParallel: options.parallel ?? Infinity,
      keepGoing: options.keepGoing ?? false,
      pool: host.pool,
      trigger,
      options,
    },
    {
      executors,
      decide: (task, upstream, ctx) => {
        const finish = (h: HashOutcome): Decision => {
          if (!h.ok) return { error: h.error };
          const fp = fingerprint(task, upstream, h.hashes);
          if (isCacheHit(task, fp, cache.get(task.id), force)) return { fingerprint: fp, cached: true };
          const up = task.cache ? shared.get(fp) : undefined;
          if (up && restoreOutputs(up, task, store.artifacts, hasher)) return { fingerprint: fp, cached: true, message: `restored from run ${up.runId} by ${up.user}@${up.host}` };
          return { fingerprint: fp, cached: false };
        };
        const hashed = hasher.hashAll(task.inputs, ctx);
        return hashed instanceof Promise ? hashed.then(finish) : finish(hashed);
      },
      logPath: (task) => store.logPath(runId, task),
      commit: (events) => {
        const after = () => {
          registerModels(plan, host.config, events);
          uploads.add(events);
          host.onEvents(events);
        };
        const pending = store.record(events);
        if (!pending) return after();
        return pending.then(after);
      },
    },
    hooks.adoption,
  );
  // Ended once the scheduler has recorded run-finished; cleaning up (uploads, executors) follows.
  let ended = false;
  const done = scheduler
    .run()
    .then(async (status) => {
      ended = true;
      await uploads.settled();
      return status;
    })
    .finally(() => Promise.all(Object.values(executors).map((ex) => ex.dispose())))
    .finally(release);
  const cancel = (force?: boolean) => {
    if (ended) return false;
    scheduler.cancel(force);
    return true;
  };
  return ok({ id: runId, plan, done, cancel });
}

/** Selection and params: from the flags, or from the run being resumed. */
async function planInput(store: Store, loaded: LoadedPipeline, req: RunRequest, runId: string, cache: Map<string, string>): Promise<Result<PlanInput>> {
  const base = { runId, external: (id: string) => cache.get(id) ?? null, force: req.force ?? false, ...(req.executor ? { executor: req.executor } : {}) };
  if (!req.resume) {
    const selected = selectTasks(loaded, { ...(req.only ? { only: req.only } : {}), ...(req.from ? { from: req.from } : {}) });
    if (!selected.ok) return selected;
    const params = resolveParams(loaded.pipeline, req.params ?? {});
    if (!params.ok) return params;
    return ok({ ...base, params: params.value, selected: selected.value });
  }
  if (req.only || req.from) return err('--resume reruns what did not finish; it cannot be combined with --only or --from.');
  const previousId = await store.resolveRunId(req.resume, loaded.file);
  if (!previousId) {
    return err(req.resume === 'last' ? `There is no earlier run of ${loaded.name} to resume.` : `There is no run '${req.resume}'; see mlops runs list.`);
  }
  const previous = (await store.run(previousId))!;
  // A run started in another working copy resumes here when it ran the same pipeline file
  // (the same path in the repository); its finished tasks' outputs must be here too.
  const samePath = previous.summary.path !== null && previous.summary.path === workspacePath(loaded);
  if (previous.summary.file !== loaded.file && !samePath) return err(`Run ${previousId} ran ${previous.summary.path ?? previous.summary.file}, not ${workspacePath(loaded)}.`);
  if (previous.record.status === 'running') return err(`Run ${previousId} is still running; cancel it or wait for it to end before resuming.`);
  const params = resolveParams(loaded.pipeline, req.params ?? {}, previous.record.params);
  if (!params.ok) return params;
  const { selected, done } = resumeSelection(loaded, previous.record);
  const carried = new Map([...done].map(([id, fp]) => [id, { fingerprint: fp, message: `reused from run ${previousId}` }]));
  return ok({ ...base, params: params.value, selected, carried, resumedFrom: previousId });
}

async function createExecutors(plan: Plan, pull: boolean, logBytes: number, store: Store): Promise<Partial<Record<ExecutorKind, Executor>>> {
  const out: Partial<Record<ExecutorKind, Executor>> = {};
  const kinds = new Set(plan.tasks.map((t) => t.executor));
  if (kinds.has('local')) out.local = new LocalExecutor(plan.runId, logBytes);
  if (kinds.has('docker')) {
    // Loaded only when needed: most runs never touch Docker.
    const { DockerExecutor } = await import('./execute/docker.js');
    out.docker = new DockerExecutor({ pull, logLimit: logBytes });
  }
  if (kinds.has('slurm')) {
    const { SlurmExecutor } = await import('./execute/slurm/executor.js');
    out.slurm = new SlurmExecutor({ pipeline: plan.loaded.name, runDir: store.runDir(plan.runId), journal: store });
  }
  return out;
}

/** What of the request a reattached run must know to go on the same way. */
function runOptions(req: RunRequest): RunOptions {
  const o: RunOptions = {};
  if (req.executor) o.executor = req.executor;
  if (req.keepGoing) o.keepGoing = true;
  if (req.parallel !== undefined) o.parallel = req.parallel;
  if (req.force) o.force = true;
  if (req.pull) o.pull = true;
  return o;
}

/** The refusal when another run holds the pipeline. */
export function busyMessage(pipeline: string, h: LockHolder): string {
  const where = h.host === os.hostname() ? `pid ${h.pid}` : `pid ${h.pid} on ${h.host}`;
  return `${pipeline} is already running as run ${h.runId} (${where}, since ${h.since}); two runs would write the same outputs. Wait for it to end or cancel it; mlops run --wait queues this run.`;
}

/**
 * A sortable, readable run id: `20261126-070102-3fa2`, unique in the store: it is reserved
 * there (a primary key) before use, so agents anywhere never pick the same one.
 */
export async function newRunId(store: Store): Promise<string> {
  for (;;) {
    const t = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const id = `${t}-${randomBytes(2).toString('hex')}`;
    if (await store.reserveRunId(id)) return id;
  }
}
