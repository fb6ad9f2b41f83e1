import * as fs from 'node:fs';
import type { JobState } from '../../../../core/src/protocol/agent';
import { isTransient, slurm, slurmMessage, type CommandResult } from './cli';
import { isLive, parseSacct, parseSqueue, SACCT_FORMAT, SQUEUE_FORMAT, type JobReport } from './states';

/** Timers, injected so tests can drive the poll loop without waiting. */
export interface Clock {
  now(): number;
  setTimer(fn: () => void, ms: number): NodeJS.Timeout;
  clearTimer(t: NodeJS.Timeout): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (t) => clearTimeout(t),
};

/** The status queries the watcher makes: one command each. */
export interface StatusSource {
  squeue(jobIds: string[]): Promise<CommandResult>;
  sacct(jobIds: string[], since: Date): Promise<CommandResult>;
}

export const slurmStatus: StatusSource = {
  // Every state: finished jobs stay listed while the controller remembers them (MinJobAge).
  squeue: (ids) => slurm('squeue', ['--noheader', '--states=all', `--jobs=${ids.join(',')}`, `--Format=${SQUEUE_FORMAT}`]),
  // An explicit start time: sacct's default is midnight today, which misses jobs of a run
  // that began before it.
  sacct: (ids, since) => slurm('sacct', ['--noheader', '--parsable2', '--allocations', `--jobs=${ids.join(',')}`, `--starttime=${isoMinute(since)}`, `--format=${SACCT_FORMAT}`]),
};

function isoMinute(d: Date): string {
  // sacct reads local time without a zone: YYYY-MM-DDTHH:MM.
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** How often to ask: fast while things change, backing off to `maxMs` while nothing does. */
export interface PollPolicy {
  minMs: number;
  maxMs: number;
  /** How long the controller may stay unreachable before the jobs count as lost. */
  graceMs: number;
}

const BACKOFF = 1.5;

/** The next wait: the minimum after a change, else the last wait stretched, up to the maximum. */
export function nextInterval(last: number, changed: boolean, policy: PollPolicy): number {
  return changed ? policy.minMs : Math.min(policy.maxMs, Math.max(policy.minMs, Math.round(last * BACKOFF)));
}

/** A job the watcher follows, and whom it tells. */
export interface Watched {
  jobId: string;
  /** Where the job script writes its exit status (read when the controller has forgotten the job). */
  exitRecord: string;
  /** When it was submitted, so accounting is asked from before then. */
  submittedAt: Date;
  /** A new state or node while the job lives. */
  onState(state: JobState): void;
  /** The job has ended: its last report, or why its end cannot be known. */
  onEnd(end: { report: JobReport } | { lost: string }): void;
}

interface Entry {
  job: Watched;
  last: string;
  /** Polls in a row that did not list the job. */
  missing: number;
}

/**
 * Follows Slurm jobs with ONE status query per poll for all of them — never a command per
 * job — so a run of thousands of tasks costs the controller what one does. The query is
 * `squeue` (which lists finished jobs too while the controller remembers them); a job it
 * no longer lists is settled from the exit record its job script wrote, or, when
 * accounting is enabled, by `sacct` with an explicit start time in the next poll instead of
 * a squeue. A controller that does not answer is asked again, backing off, for the grace
 * period; after that the jobs it could not report on are lost.
 */
export class SlurmWatcher {
  private readonly jobs = new Map<string, Entry>();
  private timer: NodeJS.Timeout | null = null;
  /** When the pending poll is due (clock ms). */
  private dueAt = 0;
  private interval: number;
  private polling = false;
  private changed = false;
  /** Since when the controller has not answered, or null. */
  private failingSince: number | null = null;
  private lastError = '';
  /** Whether sacct works here; unknown until first needed. */
  private accounting: boolean | undefined;
  /** Status queries made, for tests and the benchmark. */
  queries = 0;

  constructor(
    private readonly policy: PollPolicy,
    private readonly source: StatusSource = slurmStatus,
    private readonly clock: Clock = systemClock,
  ) {
    this.interval = policy.minMs;
  }

  /** Follows a job until it ends; returns a function that stops following it. */
  watch(job: Watched): () => void {
    this.jobs.set(job.jobId, { job, last: '', missing: 0 });
    this.kick();
    return () => {
      this.jobs.delete(job.jobId);
    };
  }

  /**
   * Something changed (a submission): poll soon, at the fastest rate. A poll already due
   * sooner stays as it is, so a burst of submissions never keeps postponing it.
   */
  kick(): void {
    this.changed = true;
    this.interval = this.policy.minMs;
    if (this.polling) return;
    const due = this.clock.now() + this.policy.minMs;
    if (this.timer && this.dueAt <= due) return;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.setPoll(this.policy.minMs);
  }

  private setPoll(ms: number): void {
    this.dueAt = this.clock.now() + ms;
    this.timer = this.clock.setTimer(() => void this.poll(), ms);
  }

  /** Stops polling (the jobs are no longer of interest). */
  close(): void {
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = null;
    this.jobs.clear();
  }

  private schedule(): void {
    if (this.jobs.size === 0) {
      this.timer = null;
      return;
    }
    this.interval = nextInterval(this.interval, this.changed, this.policy);
    this.changed = false;
    this.setPoll(this.interval);
  }

  private async poll(): Promise<void> {
    this.timer = null;
    if (this.jobs.size === 0) return;
    this.polling = true;
    try {
      // Jobs the controller no longer lists, when only accounting can say how they ended.
      const forgotten = [...this.jobs.values()].filter((e) => e.missing > 0);
      if (forgotten.length > 0 && this.accounting !== false) await this.askAccounting(forgotten);
      else await this.askQueue();
    } finally {
      this.polling = false;
      this.schedule();
    }
  }

  private async askQueue(): Promise<void> {
    const entries = [...this.jobs.values()];
    this.queries++;
    const r = await this.source.squeue(entries.map((e) => e.job.jobId));
    // One id the controller has forgotten makes squeue fail ("Invalid job id specified"); that is an answer.
    const forgotten = r.code !== 0 && /Invalid job id/i.test(r.stderr);
    if (r.code !== 0 && !forgotten) return this.failed(r, 'squeue');
    this.answered();
    const byId = new Map(parseSqueue(forgotten ? '' : r.stdout).map((j) => [j.jobId, j]));
    for (const e of entries) {
      const report = byId.get(e.job.jobId);
      if (report) this.seen(e, report);
      else this.notListed(e);
    }
  }

  private async askAccounting(entries: Entry[]): Promise<void> {
    const since = new Date(Math.min(...entries.map((e) => e.job.submittedAt.getTime())) - 3_600_000);
    this.queries++;
    const r = await this.source.sacct(
      entries.map((e) => e.job.jobId),
      since,
    );
    if (/accounting storage is disabled/i.test(r.stderr)) {
      this.accounting = false;
      for (const e of entries) this.lose(e, 'no exit record and Slurm accounting is disabled');
      return;
    }
    if (r.code !== 0) return this.failed(r, 'sacct');
    this.accounting = true;
    this.answered();
    const byId = new Map(parseSacct(r.stdout).map((j) => [j.jobId, j]));
    for (const e of entries) {
      const report = byId.get(e.job.jobId);
      if (report) this.seen(e, report);
      else this.lose(e, 'neither the controller nor accounting knows it any more, and it left no exit record');
    }
  }

  private seen(e: Entry, report: JobReport): void {
    e.missing = 0;
    const live = isLive(report.state);
    // A job that ran between two polls is first reported with the node it ran on.
    const key = live ? `${report.state}|${report.node ?? ''}|${report.reason ?? ''}` : `|${report.node ?? ''}`;
    if (live ? key !== e.last : report.node !== null && !e.last.includes(`|${report.node}|`)) {
      e.last = key;
      this.changed = true;
      e.job.onState({ jobId: report.jobId, node: report.node, state: report.state, reason: report.reason });
    }
    if (!live) this.end(e, { report });
  }

  /** The controller did not list the job: its exit record may say how it ended. */
  private notListed(e: Entry): void {
    const record = readExitRecord(e.job.exitRecord);
    if (record) {
      // As a finished job squeue lists: its node is reported (if no poll saw it) before its end.
      this.seen(e, { jobId: e.job.jobId, state: record.code === 0 ? 'COMPLETED' : 'FAILED', node: record.node, reason: null, code: record.code, signal: null, cancelledBy: null });
      return;
    }
    e.missing++;
    if (this.accounting === false) this.lose(e, 'no exit record and Slurm accounting is disabled');
  }

  private lose(e: Entry, why: string): void {
    this.end(e, { lost: `Slurm no longer knows job ${e.job.jobId}: ${why}` });
  }

  private end(e: Entry, end: { report: JobReport } | { lost: string }): void {
    this.jobs.delete(e.job.jobId);
    this.changed = true;
    e.job.onEnd(end);
  }

  private answered(): void {
    this.failingSince = null;
  }

  /** The controller did not answer: keep asking for the grace period, then give up on the jobs. */
  private failed(r: CommandResult, command: 'squeue' | 'sacct'): void {
    const now = this.clock.now();
    this.lastError = slurmMessage(r, command);
    if (!isTransient(r) && r.failure !== null) {
      // Not installed: nothing will change by waiting.
      for (const e of [...this.jobs.values()]) this.end(e, { lost: this.lastError });
      return;
    }
    this.failingSince ??= now;
    if (now - this.failingSince < this.policy.graceMs) return;
    const minutes = Math.round((now - this.failingSince) / 60_000);
    for (const e of [...this.jobs.values()]) {
      this.end(e, {
        lost: `no answer from the Slurm controller for ${minutes < 1 ? `${Math.round((now - this.failingSince) / 1000)} s` : `${minutes} min`} (${this.lastError}); job ${e.job.jobId} may still be running: see squeue`,
      });
    }
  }
}

/** `STATUS NODE` as the job script writes it; undefined while there is none. */
export function readExitRecord(file: string): { code: number; node: string | null } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const [code, node] = text.trim().split(/\s+/);
  return code !== undefined && /^\d+$/.test(code) ? { code: Number(code), node: node || null } : undefined;
}
