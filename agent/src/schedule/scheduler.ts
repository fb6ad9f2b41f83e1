import * as fs from 'node:fs';
import type { JobState, RunEndStatus, RunEvent, RunOptions, RunTrigger, TaskEndStatus, TaskStatus } from '../../../core/src/protocol/agent';
import type { AdoptedJob, AttemptListener, Executor, Exit, TaskHandle } from '../execute/executor';
import type { HashProgress } from '../fingerprint';
import { paramEnvName } from '../../../core/src/pipeline/shell';
import { systemClock, type Clock, type Timer } from '../../../core/src/util/clock';
import { workspacePath, type ExecutorKind, type Plan, type PlannedTask } from '../plan';
import { formatDuration } from '../util/time';
import { neverFits, type ResourcePool } from './capacity';
import { backoffDelay, mayRetry } from './retry';

/**
 * A task's cache decision (with what to say when it is reused), or why it cannot be made
 * (an input that cannot be hashed): that task's failure.
 */
export type Decision = { fingerprint: string; cached: boolean; message?: string } | { error: string };

/** What a decision may use: a signal that aborts it (the run ended) and a progress report for large inputs. */
export interface DecideContext {
  signal: AbortSignal;
  progress(p: HashProgress): void;
}

/**
 * The cache decision for a task about to run, made once its upstream tasks are done:
 * at once when that is quick, else a promise (hashing a large input takes a while).
 */
export type Decide = (task: PlannedTask, upstream: Record<string, string | null>, ctx: DecideContext) => Decision | Promise<Decision>;

export interface SchedulerOptions {
  /** At most this many tasks run at once on this machine (local and docker). */
  parallel: number;
  /** At most this many tasks run at once on a cluster (slurm); submitted jobs wait in its queue. */
  remoteParallel: number;
  /** Keep running what does not depend on a failed task, instead of stopping new launches. */
  keepGoing: boolean;
  /** The machine's resources, shared with the agent's other runs. */
  pool: ResourcePool;
  trigger: RunTrigger;
  /** How the run was asked to run, recorded with it. */
  options?: RunOptions;
}

/**
 * Time as the scheduler sees it: timestamps, its timers (the commit window, backoffs,
 * timeouts) and the next turn of the event loop, where what happened meanwhile (a burst of
 * task exits) is decided together. Tests pass a fake one and move time themselves.
 */
export interface SchedulerClock extends Clock {
  /** Runs `fn` once the events already waiting have been handled. */
  soon(fn: () => void): void;
}

/** The real clock; `soon` is setImmediate, which runs after pending I/O, unlike a 0 ms timer. */
export const systemSchedulerClock: SchedulerClock = { ...systemClock, soon: (fn) => void setImmediate(fn) };

export interface SchedulerDeps {
  executors: Partial<Record<ExecutorKind, Executor>>;
  decide: Decide;
  logPath(task: string): string;
  /**
   * Persists events in one transaction, then reports them; called at most once per commit
   * window, and never while an earlier call has not finished. A store that answers later
   * returns a promise: decisions go on meanwhile, and what they produce is committed next.
   */
  commit(events: RunEvent[]): void | Promise<void>;
  /** The real clock unless a test gives another. */
  clock?: SchedulerClock;
}

type KillReason = 'timeout' | 'cancel';

/** An attempt an earlier agent had in flight on a cluster. */
export interface InFlight {
  attempt: number;
  job: AdoptedJob;
  /** When it was submitted (epoch ms). */
  startedAt: number;
  /** Whether its start (with the job id) is on record already. */
  announced: boolean;
}

/**
 * A run taken over from an agent that died while its cluster jobs ran: the plan holds the
 * tasks that had not ended; these say where each of them stood.
 */
export interface Adoption {
  /** Tasks with an attempt in flight on a cluster, by id. */
  inFlight: Map<string, InFlight>;
  /** Attempts already made of the other selected tasks: a retry goes on counting from there. */
  attempts: Map<string, number>;
  /** Why nothing new may start (a task had failed without keep-going), or null. */
  stopping: string | null;
  anyFailed: boolean;
  /** What the run-reattached event says. */
  message: string;
}

/**
 * How long transitions wait to be committed together (group commit). Decisions — what to
 * launch next — never wait; only the record and the reports of them do, and nobody hears of
 * a transition before it is committed.
 */
const COMMIT_WINDOW_MS = 10;

/**
 * At most this many transitions wait for a store that does not answer; past it the run
 * stops rather than hold an unbounded record in memory.
 */
const MAX_UNSAVED = 100_000;

/** One task's life in the run. */
interface Slot {
  task: PlannedTask;
  status: TaskStatus;
  attempt: number;
  /** Selected upstream tasks not yet done. */
  waiting: number;
  children: Slot[];
  fingerprint: string | null;
  /** Whether the cache decision has been made. */
  decided: boolean;
  /** Whether the cache decision is being made (its inputs are being hashed). */
  deciding: boolean;
  /** Whether the current attempt's start has been reported. */
  announced: boolean;
  startedAt: number;
  handle: TaskHandle | null;
  /** Whether the task runs on a cluster, not this machine. */
  remote: boolean;
  gpus: string[];
  timer: Timer | null;
  killedFor: KillReason | null;
}

/**
 * Runs a plan: launches tasks in dependency order as slots and machine resources allow,
 * retries with backoff, enforces timeouts, stops launching after a failure (unless
 * keep-going) and cancels on request. Work is done in ticks: what happened since the last
 * tick (tasks ending, backoffs running out) is decided together at once; the transitions
 * that result are committed in one transaction per commit window and reported only then,
 * which keeps every transition durable without a commit per process.
 */
export class Scheduler {
  private readonly slots = new Map<string, Slot>();
  private readonly ready: (Slot | null)[] = [];
  private head = 0;
  private readonly starts: { slot: Slot; pid: number | null; log: string | undefined; jobId: string | undefined }[] = [];
  private readonly exits: { slot: Slot; exit: Exit }[] = [];
  private readonly pool: ResourcePool;
  private readonly baseEnv: Record<string, string>;
  private readonly wake = () => this.queueTick();
  /** Each task's log path, asked for several times per task. */
  private readonly logs = new Map<string, string>();
  private unsubscribe: () => void = () => undefined;
  private running = 0;
  /** Of those, running on a cluster. */
  private remoteRunning = 0;
  /** Whether the run has tasks on this machine, and on a cluster. */
  private readonly kinds = { local: false, remote: false };
  private backingOff = 0;
  /** Decisions in flight (inputs being hashed); at most `opts.parallel`. */
  private deciding = 0;
  /** Aborts the decisions in flight once the run will not use them. */
  private readonly decisions = new AbortController();
  private tickQueued = false;
  /** Transitions decided but not yet committed, in order. */
  private unsaved: RunEvent[] = [];
  private commitTimer: Timer | null = null;
  /** A commit the store has not finished yet (asynchronous stores only). */
  private inFlight: Promise<void> | null = null;
  /** The final status, once decided; reported when everything before it is committed. */
  private endStatus: RunEndStatus | null = null;
  private aborted = false;
  private stopping: string | null = null;
  private cancelled = false;
  private anyFailed = false;
  private finished = false;
  private resolve!: (status: RunEndStatus) => void;
  private reject!: (e: unknown) => void;
  private readonly clock: SchedulerClock;

  constructor(
    private readonly plan: Plan,
    private readonly opts: SchedulerOptions,
    private readonly deps: SchedulerDeps,
    private readonly adoption?: Adoption,
  ) {
    this.clock = deps.clock ?? systemSchedulerClock;
    this.pool = opts.pool;
    this.baseEnv = { MLOPS_RUN_ID: plan.runId };
    for (const [k, v] of Object.entries(plan.params)) this.baseEnv[paramEnvName(k)] = String(v);
  }

  /** Runs to the end; resolves with the run's final status. */
  run(): Promise<RunEndStatus> {
    const done = new Promise<RunEndStatus>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    const a = this.adoption;
    this.unsaved.push(a ? { type: 'run-reattached', runId: this.plan.runId, at: this.isoNow(), message: a.message } : this.startEvent());
    if (a) {
      this.stopping = a.stopping;
      this.anyFailed = a.anyFailed;
    }
    for (const task of this.plan.tasks) {
      this.slots.set(task.id, {
        task,
        status: 'pending',
        attempt: a?.attempts.get(task.id) ?? 0,
        waiting: 0,
        children: [],
        fingerprint: null,
        decided: false,
        deciding: false,
        announced: false,
        startedAt: 0,
        handle: null,
        remote: this.deps.executors[task.executor]?.remote === true,
        gpus: [],
        timer: null,
        killedFor: null,
      });
    }
    for (const [id, c] of this.plan.carried) {
      this.unsaved.push(this.finishedEvent(id, 'cached', { fingerprint: c.fingerprint, cached: true, message: c.message }));
    }
    for (const slot of this.slots.values()) {
      for (const up of slot.task.upstream) {
        const parent = this.slots.get(up);
        if (parent) {
          slot.waiting++;
          parent.children.push(slot);
        }
      }
    }
    for (const slot of this.slots.values()) {
      const why = slot.remote ? undefined : neverFits(slot.task.resources, this.pool.capacity);
      if (why) this.fail(slot, null, `Task '${slot.task.id}' ${why}.`);
    }
    for (const slot of this.slots.values()) {
      if (slot.remote) this.kinds.remote = true;
      else this.kinds.local = true;
    }
    if (a) for (const [id, flight] of a.inFlight) this.adopt(this.slots.get(id)!, flight);
    for (const slot of this.slots.values()) if (slot.waiting === 0 && slot.status === 'pending') this.ready.push(slot);
    // The run is on record before any of its processes exists: recovery looks for the
    // processes of runs it finds marked running.
    this.unsubscribe = this.pool.subscribe(this.wake);
    try {
      this.commit();
    } catch (e) {
      this.abort(e);
      return done;
    }
    if (this.inFlight) void this.inFlight.then(() => this.tick());
    else this.tick();
    return done;
  }

  /**
   * Cancels the run: nothing new starts, every running task's process tree is stopped
   * (SIGTERM, then SIGKILL after the grace period; at once when `force`).
   */
  cancel(force = false): void {
    if (this.finished) return;
    if (this.cancelled) {
      if (force) for (const slot of this.slots.values()) slot.handle?.stop(true);
      return;
    }
    this.cancelled = true;
    this.decisions.abort();
    for (const slot of this.slots.values()) {
      if (slot.status === 'running') {
        slot.killedFor = 'cancel';
        slot.handle?.stop(force);
      } else if (slot.status === 'pending') {
        if (slot.timer) this.stopBackoff(slot);
        this.end(slot, 'cancelled', { message: 'cancelled before it started' });
      }
    }
    this.tick();
  }

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private startEvent(): RunEvent {
    const p = this.plan;
    const selected = new Set([...p.tasks.map((t) => t.id), ...p.carried.keys()]);
    return {
      type: 'run-started',
      runId: p.runId,
      pipeline: p.loaded.name,
      file: p.loaded.file,
      startedAt: this.isoNow(),
      params: p.params,
      resumedFrom: p.resumedFrom,
      trigger: this.opts.trigger,
      path: workspacePath(p.loaded),
      tasks: p.loaded.order.filter((id) => selected.has(id)),
      ...(this.opts.options ? { options: this.opts.options } : {}),
    };
  }

  /** Something happened that may free a slot: decide at once. */
  private queueTick(): void {
    if (this.tickQueued) return;
    this.tickQueued = true;
    this.clock.soon(() => {
      this.tickQueued = false;
      this.tick();
    });
  }

  /** Decides everything that can be decided now; the record follows within the commit window. */
  private tick(): void {
    if (this.finished) return;
    try {
      this.announceStarts();
      for (const { slot, exit } of this.exits.splice(0)) {
        this.announce(slot, null, undefined);
        this.exited(slot, exit);
      }
      this.launchReady(false);
      this.flush();
      // What starts next is decided once what can start now is on its way; a task found
      // cached ends here at once, as do the tasks after it that are cached too.
      this.launchReady(true);
      this.flush();
      const status = this.finalStatus();
      if (status) {
        for (const slot of this.slots.values()) {
          if (slot.status !== 'pending') continue;
          if (this.cancelled) this.end(slot, 'cancelled', { message: 'cancelled before it started' });
          else this.end(slot, 'skipped', { message: this.stopping ?? 'not started' });
        }
        this.unsaved.push({ type: 'run-finished', runId: this.plan.runId, status, endedAt: this.isoNow(), message: this.stopping });
        this.finished = true;
        this.decisions.abort();
        this.endStatus = status;
        this.unsubscribe();
        this.commit();
        this.settle();
      } else this.scheduleCommit();
    } catch (e) {
      this.abort(e);
    }
  }

  /** A start changes no decision: it only needs recording, with whatever else comes by then. */
  private scheduleCommit(): void {
    if (this.commitTimer || (this.unsaved.length === 0 && this.starts.length === 0)) return;
    this.commitTimer = this.clock.setTimeout(() => {
      this.commitTimer = null;
      try {
        this.commit();
      } catch (e) {
        this.abort(e);
      }
    }, COMMIT_WINDOW_MS);
  }

  private commit(): void {
    if (this.commitTimer) {
      this.clock.clearTimeout(this.commitTimer);
      this.commitTimer = null;
    }
    this.announceStarts();
    if (this.unsaved.length > MAX_UNSAVED) {
      throw new Error(`${this.unsaved.length} transitions are waiting for the store to answer; the run stops rather than go on unrecorded (everything recorded so far is kept).`);
    }
    // While the store works on the previous commit, what comes meanwhile waits for the next.
    if (this.inFlight || this.unsaved.length === 0) return;
    const events = this.unsaved;
    this.unsaved = [];
    const pending = this.deps.commit(events);
    if (!pending) return;
    this.inFlight = pending.then(
      () => {
        this.inFlight = null;
        if (this.aborted) return;
        try {
          this.commit();
        } catch (e) {
          this.abort(e);
          return;
        }
        this.settle();
      },
      (e: unknown) => {
        this.inFlight = null;
        this.abort(e);
      },
    );
  }

  /** Ends the run once its final status is decided and everything is committed. */
  private settle(): void {
    if (this.endStatus && !this.aborted && !this.inFlight && this.unsaved.length === 0) this.resolve(this.endStatus);
  }

  /** The store could not record a transition: stop everything rather than run unrecorded. */
  private abort(e: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.finished = true;
    this.decisions.abort();
    this.unsubscribe();
    if (this.commitTimer) this.clock.clearTimeout(this.commitTimer);
    for (const slot of this.slots.values()) slot.handle?.stop();
    this.reject(e);
  }

  private finalStatus(): RunEndStatus | undefined {
    if (this.running > 0 || this.backingOff > 0) return undefined;
    if (!this.cancelled && !this.stopping && (this.head < this.ready.length || this.deciding > 0)) return undefined;
    return this.cancelled ? 'cancelled' : this.anyFailed ? 'failed' : 'succeeded';
  }

  /** Sends what the executors have queued. */
  private flush(): void {
    for (const ex of Object.values(this.deps.executors)) ex.flush?.();
  }

  /**
   * Launches ready tasks while slots and resources allow, deciding each one's cache status
   * first. With `ahead`, also decides the tasks next in line when every slot is taken.
   */
  private launchReady(ahead: boolean): void {
    if (this.cancelled || this.stopping) return;
    for (let i = this.head; i < this.ready.length; i++) {
      const slot = this.ready[i];
      if (!slot) continue;
      if (slot.deciding) continue;
      if (!slot.decided) {
        if (!ahead && !this.hasRoom(slot)) {
          if (this.full()) break;
          continue;
        }
        if (this.deciding >= this.opts.parallel) continue;
        const d = this.deps.decide(slot.task, this.upstreamFingerprints(slot.task), this.decideContext(slot));
        if (d instanceof Promise) {
          slot.deciding = true;
          this.deciding++;
          void d.then(
            (r) => this.decidedLater(slot, r),
            (e: Error) => this.decidedLater(slot, { error: `its inputs could not be hashed: ${e.message}` }),
          );
          continue;
        }
        this.applyDecision(slot, d);
      }
      // Found cached, or failed because an input cannot be hashed.
      if (slot.status !== 'pending') {
        this.ready[i] = null;
        continue;
      }
      if (!this.hasRoom(slot)) {
        if (this.full()) break;
        continue;
      }
      if (!slot.remote && !this.pool.fits(slot.task.resources)) continue;
      this.ready[i] = null;
      this.launch(slot);
      if (this.cancelled || this.stopping) break;
    }
    while (this.head < this.ready.length && this.ready[this.head] === null) this.head++;
    if (this.head > 1024 && this.head * 2 > this.ready.length) {
      this.ready.splice(0, this.head);
      this.head = 0;
    }
  }

  private decideContext(slot: Slot): DecideContext {
    return {
      signal: this.decisions.signal,
      progress: (p) => {
        if (this.finished || slot.status !== 'pending') return;
        this.unsaved.push({ type: 'task-progress', runId: this.plan.runId, task: slot.task.id, at: this.isoNow(), stage: 'hashing', ...p });
        this.scheduleCommit();
      },
    };
  }

  private applyDecision(slot: Slot, d: Decision): void {
    slot.decided = true;
    if ('error' in d) {
      this.fail(slot, null, d.error);
      return;
    }
    slot.fingerprint = d.fingerprint;
    if (d.cached) {
      this.end(slot, 'cached', { message: d.message ?? 'unchanged since its last success; outputs reused' });
      this.release(slot);
    }
  }

  /** A decision made in the background arrived: the next tick launches the task, or ends it. */
  private decidedLater(slot: Slot, d: Decision): void {
    slot.deciding = false;
    this.deciding--;
    // Cancelled, or the run stopped after another failure, meanwhile: the task has ended already.
    if (this.finished || slot.status !== 'pending') return;
    this.applyDecision(slot, d);
    this.queueTick();
  }

  /** Whether a slot for this task's kind of executor is free. */
  private hasRoom(slot: Slot): boolean {
    return slot.remote ? this.remoteRunning < this.opts.remoteParallel : this.running - this.remoteRunning < this.opts.parallel;
  }

  /**
   * Whether no task of any kind the run has could start now, so the rest of the ready list
   * need not be looked at (which keeps a tick short in runs of thousands of tasks).
   */
  private full(): boolean {
    const localFull = !this.kinds.local || this.running - this.remoteRunning >= this.opts.parallel;
    const remoteFull = !this.kinds.remote || this.remoteRunning >= this.opts.remoteParallel;
    return localFull && remoteFull;
  }

  private logPath(task: string): string {
    let log = this.logs.get(task);
    if (log === undefined) this.logs.set(task, (log = this.deps.logPath(task)));
    return log;
  }

  private upstreamFingerprints(task: PlannedTask): Record<string, string | null> {
    const out: Record<string, string | null> = {};
    for (const up of [...task.upstream].sort()) {
      out[up] = this.slots.get(up)?.fingerprint ?? this.plan.carried.get(up)?.fingerprint ?? this.plan.external.get(up) ?? null;
    }
    return out;
  }

  private launch(slot: Slot): void {
    const task = slot.task;
    slot.attempt++;
    slot.status = 'running';
    slot.killedFor = null;
    // A cluster task's resources are the cluster's to find, not this machine's.
    slot.gpus = slot.remote ? [] : this.pool.take(task.resources);
    this.running++;
    if (slot.remote) this.remoteRunning++;
    const log = this.logPath(task.id);
    if (slot.attempt > 1) appendHeader(log, `\n--- mlops: attempt ${slot.attempt} of ${task.retries.limit + 1} ---\n`);
    const env: Record<string, string> = { ...this.baseEnv, MLOPS_TASK: task.id };
    if (slot.gpus.length > 0) env.CUDA_VISIBLE_DEVICES = slot.gpus.join(',');
    slot.startedAt = this.clock.now();
    slot.announced = false;
    slot.handle = this.deps.executors[task.executor]!.start({ runId: this.plan.runId, task, attempt: slot.attempt, log, env, gpus: slot.gpus }, this.listenerFor(slot));
    // A cluster enforces the time limit itself (sbatch --time), counted from when the job
    // starts rather than from its submission.
    if (task.timeoutMs !== null && !slot.remote) {
      slot.timer = this.clock.setTimeout(() => {
        slot.timer = null;
        slot.killedFor = 'timeout';
        slot.handle?.stop();
      }, task.timeoutMs);
    }
  }

  /** What an executor tells about the current attempt of a slot. */
  private listenerFor(slot: Slot): AttemptListener {
    return {
      started: (pid, liveLog, jobId) => {
        this.starts.push({ slot, pid, log: liveLog, jobId });
        this.scheduleCommit();
      },
      job: (state) => this.jobChanged(slot, state),
      exited: (exit) => {
        this.exits.push({ slot, exit });
        this.queueTick();
      },
    };
  }

  /** Follows again an attempt an earlier agent had in flight on a cluster. */
  private adopt(slot: Slot, flight: InFlight): void {
    const task = slot.task;
    const executor = this.deps.executors[task.executor];
    slot.attempt = flight.attempt;
    slot.status = 'running';
    slot.decided = true;
    slot.announced = flight.announced;
    slot.startedAt = flight.startedAt;
    this.running++;
    if (slot.remote) this.remoteRunning++;
    // Its fingerprint is recorded with its success (the cache); inputs are hashed meanwhile if need be.
    const d = this.deps.decide(task, this.upstreamFingerprints(task), this.decideContext(slot));
    const take = (r: Decision) => {
      if ('fingerprint' in r) slot.fingerprint = r.fingerprint;
    };
    if (d instanceof Promise) void d.then(take, () => undefined);
    else take(d);
    const env: Record<string, string> = { ...this.baseEnv, MLOPS_TASK: task.id };
    const launch = { runId: this.plan.runId, task, attempt: slot.attempt, log: this.logPath(task.id), env, gpus: [] };
    if (!executor?.adopt) {
      queueMicrotask(() => this.listenerFor(slot).exited({ code: null, signal: null, error: `the ${task.executor} executor cannot take over a running attempt` }));
      return;
    }
    slot.handle = executor.adopt(launch, this.listenerFor(slot), flight.job);
  }

  private announceStarts(): void {
    for (const { slot, pid, log, jobId } of this.starts.splice(0)) this.announce(slot, pid, log, jobId);
  }

  /** Records that the current attempt runs, once (an attempt that ends unannounced is announced first). */
  private announce(slot: Slot, pid: number | null, log: string | undefined, jobId?: string): void {
    if (slot.announced) return;
    slot.announced = true;
    this.unsaved.push({
      type: 'task-started',
      runId: this.plan.runId,
      task: slot.task.id,
      attempt: slot.attempt,
      at: this.isoNow(),
      pid,
      log: log ?? this.logPath(slot.task.id),
      ...(slot.task.executor !== 'local' ? { executor: slot.task.executor } : {}),
      ...(jobId !== undefined ? { jobId } : {}),
    });
  }

  /** A cluster job moved (queued → running on a node, requeued): recorded after its start. */
  private jobChanged(slot: Slot, job: JobState): void {
    if (this.finished) return;
    this.announceStarts();
    this.unsaved.push({ type: 'task-job', runId: this.plan.runId, task: slot.task.id, attempt: slot.attempt, at: this.isoNow(), job });
    this.scheduleCommit();
  }

  private exited(slot: Slot, exit: Exit): void {
    this.running--;
    if (slot.remote) this.remoteRunning--;
    else this.pool.release(slot.task.resources, slot.gpus, this.wake);
    slot.gpus = [];
    slot.handle = null;
    if (slot.timer) {
      this.clock.clearTimeout(slot.timer);
      slot.timer = null;
    }
    const duration = this.clock.now() - slot.startedAt;
    if (slot.killedFor === 'cancel' || (this.cancelled && exit.code !== 0)) {
      this.end(slot, 'cancelled', { exitCode: exit.code, durationMs: duration, message: 'cancelled while running' });
      return;
    }
    if (exit.code === 0 && exit.error === null && slot.killedFor === null) {
      this.end(slot, 'succeeded', { exitCode: 0, durationMs: duration });
      this.release(slot);
      return;
    }
    const reason = this.describeFailure(slot, exit);
    if (mayRetry(slot.task.retries, slot.attempt) && !this.stopping && !this.cancelled) {
      const delayMs = backoffDelay(slot.task.retries, slot.attempt);
      slot.status = 'pending';
      this.backingOff++;
      slot.timer = this.clock.setTimeout(() => {
        slot.timer = null;
        this.backingOff--;
        this.ready.push(slot);
        this.queueTick();
      }, delayMs);
      this.unsaved.push({
        type: 'task-retrying',
        runId: this.plan.runId,
        task: slot.task.id,
        attempt: slot.attempt,
        exitCode: exit.code,
        reason,
        delayMs,
        at: this.isoNow(),
      });
      return;
    }
    this.fail(slot, exit.code, reason, duration);
  }

  private describeFailure(slot: Slot, exit: Exit): string {
    if (slot.killedFor === 'timeout') return `timed out after ${formatDuration(slot.task.timeoutMs ?? 0)}`;
    if (exit.error) return exit.error;
    if (exit.signal) return `killed by ${exit.signal}`;
    return `exit ${exit.code}`;
  }

  /** Records a final failure and applies the run's policy: skip dependents, or stop launching. */
  private fail(slot: Slot, exitCode: number | null, message: string, durationMs: number | null = null): void {
    this.anyFailed = true;
    this.end(slot, 'failed', { exitCode, durationMs, message });
    if (this.opts.keepGoing) {
      this.skipDependents(slot);
      return;
    }
    if (this.stopping) return;
    this.stopping = `not started because task '${slot.task.id}' failed`;
    // What has not started will not: hashing its inputs is no longer needed.
    this.decisions.abort();
    // Waiting to retry is not running: those attempts are not made.
    for (const other of this.slots.values()) {
      if (other.status === 'pending' && other.timer) {
        this.stopBackoff(other);
        this.end(other, 'failed', { message: `not retried because task '${slot.task.id}' failed` });
      }
    }
  }

  private stopBackoff(slot: Slot): void {
    this.clock.clearTimeout(slot.timer!);
    slot.timer = null;
    this.backingOff--;
  }

  private skipDependents(slot: Slot): void {
    const stack = [...slot.children];
    while (stack.length > 0) {
      const child = stack.pop()!;
      if (child.status !== 'pending') continue;
      this.end(child, 'skipped', { message: `skipped because upstream task '${slot.task.id}' did not succeed` });
      stack.push(...child.children);
    }
  }

  /** A task is done: its children may become ready. */
  private release(slot: Slot): void {
    for (const child of slot.children) {
      if (--child.waiting === 0 && child.status === 'pending') this.ready.push(child);
    }
  }

  private end(slot: Slot, status: TaskEndStatus, info: { exitCode?: number | null; durationMs?: number | null; message?: string }): void {
    slot.status = status;
    this.unsaved.push(
      this.finishedEvent(slot.task.id, status, {
        attempts: slot.attempt,
        exitCode: info.exitCode ?? null,
        durationMs: info.durationMs ?? null,
        fingerprint: slot.fingerprint,
        cached: status === 'cached',
        message: info.message ?? null,
      }),
    );
  }

  private finishedEvent(
    task: string,
    status: TaskEndStatus,
    f: { attempts?: number; exitCode?: number | null; durationMs?: number | null; fingerprint: string | null; cached: boolean; message: string | null },
  ): RunEvent {
    const attempts = f.attempts ?? 0;
    return {
      type: 'task-finished',
      runId: this.plan.runId,
      task,
      status,
      attempts,
      exitCode: f.exitCode ?? null,
      durationMs: f.durationMs ?? null,
      cached: f.cached,
      fingerprint: f.fingerprint,
      message: f.message,
      log: attempts > 0 ? this.logPath(task) : null,
      at: this.isoNow(),
    };
  }
}

/** Marks where a retry starts in the task's log; a log that cannot be written is the executor's to report. */
function appendHeader(log: string, text: string): void {
  try {
    fs.appendFileSync(log, text);
  } catch {
    // The attempt itself will fail to open the log and say so.
  }
}
