import { parseDuration } from '../../../../core/src/index';
import type { PlannedTask } from '../../plan';
import type { Submission } from '../../state/store';
import { formatDuration } from '../../util/time';
import { err, ok, type Result } from '../../../../core/src/result';
import type { AdoptedJob, AttemptListener, Executor, Exit, Launch, TaskHandle } from '../executor';
import { isTransient, slurm, slurmMessage } from './cli';
import { jobRequest, type JobRequest } from './job';
import { exitOf } from './states';
import { SlurmWatcher, systemClock, type Clock, type PollPolicy, type Watched } from './watcher';

/** Where the executor writes down, before sbatch runs, that an attempt is being submitted. */
export interface SubmissionJournal {
  intendSubmissions(subs: readonly Submission[], at: string): void | Promise<void>;
}

/** sbatch calls at once: the controller queues RPCs anyway; more only adds processes here. */
const SUBMIT_CONCURRENCY = 4;
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30_000;
/** How long a run waits at its start for a controller that does not answer. */
const PING_WINDOW_MS = 15_000;

/** The poll policy: MLOPS_SLURM_POLL_MAX and MLOPS_SLURM_GRACE (durations such as 30s, 10m) override the defaults. */
export function pollPolicy(env: NodeJS.ProcessEnv = process.env): PollPolicy {
  const duration = (v: string | undefined, fallback: number) => (v ? (parseDuration(v) ?? fallback) : fallback);
  const maxMs = Math.max(1000, duration(env.MLOPS_SLURM_POLL_MAX, 10_000));
  return { minMs: Math.min(250, maxMs), maxMs, graceMs: duration(env.MLOPS_SLURM_GRACE, 600_000) };
}

let shared: SlurmWatcher | undefined;

/** One watcher per agent process: every run's jobs are asked about in the same query. */
export function sharedWatcher(): SlurmWatcher {
  return (shared ??= new SlurmWatcher(pollPolicy()));
}

/**
 * Runs each attempt of a task as a Slurm batch job: submitted with sbatch when the
 * scheduler launches it (its upstream tasks have succeeded and it is not cached), followed
 * by the process's shared watcher, cancelled with scancel. Every submission is recorded in
 * the state database before sbatch runs, and every job carries a name and a comment unique
 * to its attempt, so a later agent can find jobs whose ids were never recorded and never
 * submits an attempt twice.
 */
export class SlurmExecutor implements Executor {
  readonly kind = 'slurm' as const;
  readonly remote = true;
  private readonly queue: SlurmAttempt[] = [];
  private readonly toCancel = new Set<string>();
  private cancelQueued = false;
  private submitting = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly opts: {
      pipeline: string;
      runDir: string;
      journal: SubmissionJournal;
      watcher?: SlurmWatcher;
      policy?: PollPolicy;
      clock?: Clock;
    },
  ) {}

  private get watcher(): SlurmWatcher {
    return this.opts.watcher ?? sharedWatcher();
  }

  private get policy(): PollPolicy {
    return this.opts.policy ?? pollPolicy();
  }

  private get clock(): Clock {
    return this.opts.clock ?? systemClock;
  }

  /**
   * The controller must answer before anything is submitted, so a missing cluster fails the
   * run before any job exists. One that is restarting (a reconfiguration, a failover, an
   * overloaded controller timing out) gets PING_WINDOW_MS — or the grace period, if shorter —
   * to answer; Slurm's clients are not installed fails at once.
   */
  async prepare(tasks: PlannedTask[]): Promise<Result<void>> {
    if (tasks.length === 0) return ok(undefined);
    const window = Math.min(PING_WINDOW_MS, this.policy.graceMs);
    const first = this.clock.now();
    for (let wait = RETRY_FIRST_MS; ; wait *= 2) {
      const r = await slurm('scontrol', ['ping']);
      if (r.code === 0 && /is UP/.test(r.stdout)) return ok(undefined);
      const down = /DOWN/.test(r.stdout);
      const waited = this.clock.now() - first;
      if ((!down && !isTransient(r)) || waited + wait > window) {
        const why = r.code === 0 || down ? r.stdout.trim() || 'no controller answered' : slurmMessage(r, 'scontrol');
        const tried = waited >= 1000 ? `, still after ${formatDuration(waited)}` : '';
        return err(`Cannot reach the Slurm controller (${why}${tried}); start it, check SLURM_CONF or /etc/slurm/slurm.conf, or run with --executor local.`);
      }
      await this.sleep(wait);
    }
  }

  start(launch: Launch, listener: AttemptListener): TaskHandle {
    const req = jobRequest({ pipeline: this.opts.pipeline, runId: launch.runId, task: launch.task, attempt: launch.attempt, log: launch.log, runDir: this.opts.runDir, env: launch.env });
    const a = new SlurmAttempt(this, launch, listener, req);
    this.queue.push(a);
    return a;
  }

  /**
   * Follows the job of an attempt an earlier agent submitted (reattaching after it died).
   * With no recorded id, the job is looked up by its name and comment; an attempt whose
   * job Slurm never accepted is submitted now.
   */
  adopt(launch: Launch, listener: AttemptListener, job: AdoptedJob): TaskHandle {
    const req = jobRequest({ pipeline: this.opts.pipeline, runId: launch.runId, task: launch.task, attempt: launch.attempt, log: launch.log, runDir: this.opts.runDir, env: launch.env });
    const a = new SlurmAttempt(this, launch, listener, req);
    if (job.jobId !== null) a.submitted(job.jobId, job.submittedAt, true);
    else void this.submit(a, true);
    return a;
  }

  /** Records the queued submissions in one transaction, then submits them; sends a pending scancel. */
  flush(): void {
    if (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      // sbatch runs only once the store has the intent (at once for SQLite, after the round trip for a team store).
      const recorded = Promise.resolve(
        this.opts.journal.intendSubmissions(
          batch.map((a) => ({ runId: a.launch.runId, task: a.launch.task.id, attempt: a.launch.attempt, executor: 'slurm' as const, log: a.launch.log })),
          new Date().toISOString(),
        ),
      );
      for (const a of batch) void this.submit(a, false, recorded);
    }
  }

  async dispose(): Promise<void> {}

  /** Cancels jobs, several stops at once in one scancel. */
  cancel(jobId: string): void {
    this.toCancel.add(jobId);
    if (this.cancelQueued) return;
    this.cancelQueued = true;
    queueMicrotask(() => {
      this.cancelQueued = false;
      void this.sendCancels([...this.toCancel]);
      this.toCancel.clear();
    });
  }

  private async sendCancels(ids: string[]): Promise<void> {
    const first = this.clock.now();
    for (let wait = RETRY_FIRST_MS; ; wait = Math.min(wait * 2, RETRY_MAX_MS)) {
      const r = await slurm('scancel', ids);
      // A job that has just ended is not an error worth repeating.
      if (r.code === 0 || !isTransient(r) || this.clock.now() - first >= this.policy.graceMs) return;
      await this.sleep(wait);
    }
  }

  /**
   * sbatch, retried while the controller is unreachable (for the grace period). A refusal
   * (unknown partition, over a limit) fails the attempt at once with Slurm's words. After
   * an error that could hide an accepted job (a timeout), and for an adopted attempt, the
   * job is first looked for by its name and comment.
   */
  private async submit(a: SlurmAttempt, lookFirst: boolean, recorded: Promise<void> = Promise.resolve()): Promise<void> {
    try {
      await recorded;
    } catch (e) {
      return a.finish({ code: null, signal: null, error: `not submitted: the submission could not be recorded first (${(e as Error).message})` });
    }
    await this.slot();
    try {
      let firstError: number | null = null;
      let uncertain = lookFirst;
      for (let wait = RETRY_FIRST_MS; ; wait = Math.min(wait * 2, RETRY_MAX_MS)) {
        if (a.stopping) return a.finish({ code: null, signal: 'SIGTERM', error: null });
        if (uncertain) {
          const found = await this.find(a.req);
          if (found.ok && found.value) return a.submitted(found.value, new Date(), false);
          if (!found.ok) {
            firstError ??= this.clock.now();
            if (this.clock.now() - firstError >= this.policy.graceMs) return a.finish(lostContact(found.error, this.clock.now() - firstError));
            await this.sleep(wait);
            continue;
          }
        }
        const r = await slurm('sbatch', a.req.argv, a.req.script);
        const id = r.code === 0 ? /^(\d+)/.exec(r.stdout.trim())?.[1] : undefined;
        if (id) return a.submitted(id, new Date(), false);
        if (r.code === 0) return a.finish({ code: null, signal: null, error: `sbatch did not print a job id (it said: ${r.stdout.trim() || 'nothing'})` });
        if (!isTransient(r)) return a.finish({ code: null, signal: null, error: `Slurm refused the job: ${slurmMessage(r, 'sbatch')}` });
        // The controller may have accepted the job before the answer was lost.
        uncertain = true;
        firstError ??= this.clock.now();
        if (this.clock.now() - firstError >= this.policy.graceMs) return a.finish(lostContact(slurmMessage(r, 'sbatch'), this.clock.now() - firstError));
        await this.sleep(wait);
      }
    } finally {
      this.release();
    }
  }

  /** The job of this attempt, by its name and comment, if the controller has it. */
  private async find(req: JobRequest): Promise<Result<string | null>> {
    const r = await slurm('squeue', ['--noheader', '--states=all', `--name=${req.name}`, '--Format=JobID:|,Comment:|']);
    if (r.code !== 0) return err(slurmMessage(r, 'squeue'));
    for (const line of r.stdout.split('\n')) {
      const [id, comment] = line.split('|').map((f) => f.trim());
      if (id && comment === req.comment) return ok(id);
    }
    return ok(null);
  }

  /** Follows a submitted job until it ends. */
  watch(job: Watched): () => void {
    return this.watcher.watch(job);
  }

  private async slot(): Promise<void> {
    if (this.submitting < SUBMIT_CONCURRENCY) {
      this.submitting++;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.submitting--;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimer(resolve, ms));
  }
}

function lostContact(message: string, forMs: number): Exit {
  return { code: null, signal: null, error: `could not submit to Slurm for ${formatDuration(forMs)}: ${message}` };
}

/** One attempt: queued, submitted (its job followed), stopped or ended. */
class SlurmAttempt implements TaskHandle {
  stopping = false;
  private jobId: string | null = null;
  private done = false;
  private unwatch: (() => void) | null = null;

  constructor(
    private readonly executor: SlurmExecutor,
    readonly launch: Launch,
    private readonly listener: AttemptListener,
    readonly req: JobRequest,
  ) {}

  /** sbatch accepted the job (or an earlier agent's job was found): report it and follow it. */
  submitted(jobId: string, at: Date, known: boolean): void {
    if (this.done) return;
    this.jobId = jobId;
    if (!known) this.listener.started(null, undefined, jobId);
    this.unwatch = this.executor.watch({
      jobId,
      exitRecord: this.req.exitRecord,
      submittedAt: at,
      onState: (state) => this.listener.job?.(state),
      onEnd: (end) => {
        const t = this.launch.task;
        this.finish(
          'lost' in end
            ? { code: null, signal: null, error: end.lost }
            : exitOf(end.report, {
                cancelledByUs: this.stopping,
                mem: this.req.resources.mem,
                time: this.req.resources.time,
                timeoutText: t.timeoutMs !== null ? formatDuration(t.timeoutMs) : null,
              }),
        );
      },
    });
    if (this.stopping) this.executor.cancel(jobId);
  }

  stop(): void {
    if (this.done || this.stopping) return;
    this.stopping = true;
    if (this.jobId !== null) this.executor.cancel(this.jobId);
  }

  finish(exit: Exit): void {
    if (this.done) return;
    this.done = true;
    this.unwatch?.();
    this.listener.exited(exit);
  }
}
