import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PlannedTask } from '../plan';
import { groupAlive, isAlive, signalGroup, stopGroups } from '../util/process';
import { moveLog } from '../state/logs';
import { err, ok, type Result } from '../../../core/src/result';
import { EscapeTracker } from './escapes';
import { killGraceMs, type AttemptListener, type Executor, type Exit, type Launch, type TaskHandle } from './executor';
import { Launcher, plainCommand } from './launcher';
import { LogCap, logLimit } from './log-limit';

const BASH_CANDIDATES = ['/bin/bash', '/usr/bin/bash', '/usr/local/bin/bash', '/opt/homebrew/bin/bash'];
/** How often running process groups are checked for having vanished without a word. */
const LIVENESS_MS = 500;

/**
 * A log lane: the file a first attempt writes its output to while it runs. Creating a file
 * is by far the dearest part of starting a short task on some disks (half a millisecond of
 * kernel time on the ext4 of our CI machines, more than make spends per task), so a task's
 * log is not created up front: a lane that stayed empty is simply used by the next task,
 * and one with output is renamed to the task's log when the task ends (same file, so
 * readers' offsets still hold). A lane is reused only once its last task's process group
 * is gone; output a leftover wrote after the task ended is added to that task's log.
 */
interface Lane {
  path: string;
  /** The task that last wrote here, while its process group may still exist. */
  owner: { pgid: number; log: string } | null;
  busy: boolean;
}

/**
 * Runs each task as `bash -c COMMAND` in its working directory, in a process group of its
 * own, with both output streams appended to the task's log file. Stopping a task signals
 * the whole group (SIGTERM, SIGKILL after the grace period), so its children and
 * grandchildren go too; whatever a task leaves behind when it exits is stopped the same way.
 * Processes are forked by small bash launchers (see launcher.ts), not by Node.
 */
export class LocalExecutor implements Executor {
  readonly kind = 'local' as const;
  private readonly bash = BASH_CANDIDATES.find((b) => fs.existsSync(b)) ?? 'bash';
  private readonly escapes: EscapeTracker;
  private readonly launcher: Launcher;
  private readonly live = new Set<Attempt>();
  /** Attempts running per task id: an escaped process of a running task is left alone. */
  private readonly running = new Map<string, number>();
  /** A task has ended since the last look for escaped processes. */
  private sweepDue = false;
  /** Process groups of ended tasks, until nothing of them is left. */
  private readonly ended = new Set<number>();
  /** Leftover groups that were sent SIGTERM, and when. */
  private readonly terminating = new Map<number, number>();
  private readonly grace = killGraceMs();
  private poll: NodeJS.Timeout | null = null;
  private readonly lanes: Lane[] = [];

  constructor(
    runId: string,
    /** A task's log is cut past this many bytes (see log-limit.ts). */
    private readonly logBytes: number = logLimit(),
  ) {
    this.escapes = new EscapeTracker(runId);
    this.launcher = new Launcher(this.bash, (pid) => this.escapes.adopt(pid));
  }

  async prepare(tasks: PlannedTask[]): Promise<Result<void>> {
    // Tasks mostly share a few working directories: each is checked once.
    const checked = new Map<string, boolean>();
    for (const t of tasks) {
      let exists = checked.get(t.workdir);
      if (exists === undefined) checked.set(t.workdir, (exists = isDir(t.workdir)));
      if (!exists) return err(`The working directory of task '${t.id}' does not exist: ${t.workdir}; create it or fix workdir:.`);
    }
    return ok(undefined);
  }

  start(launch: Launch, listener: AttemptListener): TaskHandle {
    const command = launch.task.command;
    const env = { ...launch.task.env, ...launch.env };
    const argv = plainCommand(command, env) ?? [this.bash, '-c', command];
    // Retries append to the log the first attempt left, so they write to it directly.
    const lane = launch.attempt === 1 ? this.acquireLane(path.dirname(launch.log)) : undefined;
    const task = launch.task.id;
    this.running.set(task, (this.running.get(task) ?? 0) + 1);
    const file = lane?.path ?? launch.log;
    const attempt = new Attempt(listener, this.grace, { file, cap: new LogCap(this.logBytes) }, (pgid, termAt) => {
      this.live.delete(attempt);
      attempt.capLog();
      const left = this.running.get(task)! - 1;
      if (left > 0) this.running.set(task, left);
      else this.running.delete(task);
      this.sweepDue = true;
      if (lane) this.releaseLane(lane, pgid, launch.log);
      if (pgid === null) return;
      // A stopped task's group had its SIGTERM; the rest of it gets SIGKILL when the grace period is up.
      if (termAt !== null) this.terminating.set(pgid, termAt);
      else this.ended.add(pgid);
    });
    this.live.add(attempt);
    this.watch();
    const refused = this.launcher.launch(
      { workdir: launch.task.workdir, log: file, argv, env },
      {
        started: (pgid) => attempt.started(pgid, lane?.path),
        ended: (status) => attempt.finish(exitFromStatus(status)),
        lost: (error) => attempt.finish({ code: null, signal: null, error }),
      },
    );
    if (refused) queueMicrotask(() => attempt.finish({ code: null, signal: null, error: refused }));
    return attempt;
  }

  flush(): void {
    this.launcher.flush();
  }

  /** Makes sure nothing any task started is still running, ends the launchers and removes the lanes. */
  async dispose(): Promise<void> {
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    const groups = [...this.ended, ...this.terminating.keys()];
    this.ended.clear();
    this.terminating.clear();
    // The launcher processes go last, and are spared by the sweeps: each reaps its task before
    // reporting it, and one ended early would leave a task that is still being stopped as a
    // zombie of init, which keeps its group "alive" until init reaps it — seconds in some
    // containers (and never where init does not reap), all of it spent waiting here.
    await stopGroups(groups, this.grace);
    // What escaped the groups (a setsid daemon, a double fork) goes too.
    await this.escapes.stopAll(new Set(groups), this.grace);
    this.launcher.close();
    await this.escapes.release();
    for (const lane of this.lanes) {
      if (lane.owner) settleLane(lane);
      fs.rmSync(lane.path, { force: true });
    }
  }

  /** Every process group the executor watches itself: running, ended, being stopped. */
  private watchedGroups(): Set<number> {
    const groups = new Set<number>([...this.ended, ...this.terminating.keys()]);
    for (const a of this.live) if (a.group !== null) groups.add(a.group);
    return groups;
  }

  /** A free lane (an idle one whose last task has fully gone, else a new one). */
  private acquireLane(dir: string): Lane {
    let lane = this.lanes.find((l) => !l.busy && (!l.owner || !groupAlive(l.owner.pgid)));
    if (!lane) {
      lane = { path: path.join(dir, `.lane-${this.lanes.length}.log`), owner: null, busy: false };
      this.lanes.push(lane);
    }
    if (lane.owner) settleLane(lane);
    lane.busy = true;
    return lane;
  }

  /** The task on `lane` has ended: what it wrote becomes its log. */
  private releaseLane(lane: Lane, pgid: number | null, log: string): void {
    lane.busy = false;
    moveLog(lane.path, log);
    lane.owner = pgid === null ? null : { pgid, log };
  }

  /**
   * Runs while there is something to watch. A running task's launcher process reports its
   * exit; should that report never come (the launcher process was killed), a group gone for
   * two checks in a row without a report has ended. An ended task's group must empty once
   * the task has gone; what is left gets SIGTERM, then SIGKILL.
   */
  private watch(): void {
    if (this.poll) return;
    this.poll = setInterval(() => {
      for (const a of this.live) {
        a.check();
        a.capLog();
      }
      const now = Date.now();
      for (const pgid of this.ended) {
        if (!groupAlive(pgid)) this.ended.delete(pgid);
        else if (!isAlive(pgid)) {
          this.ended.delete(pgid);
          signalGroup(pgid, 'SIGTERM');
          this.terminating.set(pgid, now);
        }
      }
      for (const [pgid, since] of this.terminating) {
        if (!groupAlive(pgid)) this.terminating.delete(pgid);
        else if (now - since >= this.grace) {
          signalGroup(pgid, 'SIGKILL');
          this.terminating.delete(pgid);
        }
      }
      if (this.sweepDue || this.escapes.busy) {
        this.sweepDue = false;
        this.escapes.sweep(this.watchedGroups(), new Set(this.running.keys()), this.grace, false);
      }
      if (this.live.size + this.ended.size + this.terminating.size === 0 && !this.escapes.busy && this.poll) {
        clearInterval(this.poll);
        this.poll = null;
      }
    }, LIVENESS_MS);
    this.poll.unref();
  }
}

/** One attempt of a local task: its process group, how it is stopped, how it ended. */
class Attempt implements TaskHandle {
  private pgid: number | null = null;
  private stopping: 'term' | 'kill' | null = null;
  /** When the group was sent SIGTERM. */
  private termAt: number | null = null;
  private done = false;
  private suspect = false;
  private killTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly listener: AttemptListener,
    private readonly grace: number,
    private readonly log: { file: string; cap: LogCap },
    private readonly forget: (pgid: number | null, termAt: number | null) => void,
  ) {}

  /** Keeps the log the attempt writes within its limit. */
  capLog(): void {
    this.log.cap.check(this.log.file);
  }

  get group(): number | null {
    return this.pgid;
  }

  started(pgid: number, log: string | undefined): void {
    // Forced to end before it started: it must not run unwatched.
    if (this.done) {
      signalGroup(pgid, 'SIGKILL');
      return;
    }
    this.pgid = pgid;
    this.listener.started(pgid, log);
    if (this.stopping) this.signal(this.stopping);
  }

  stop(force = false): void {
    if (this.done) return;
    const how = force ? 'kill' : 'term';
    if (this.stopping === 'kill' || (this.stopping === 'term' && how === 'term')) return;
    this.stopping = how;
    if (this.pgid !== null) this.signal(how);
    // Killed before the launcher said it started: end it now rather than wait for a report
    // that may never come (its group is killed the moment it does).
    else if (how === 'kill') this.finish({ code: null, signal: 'SIGKILL', error: null });
  }

  private signal(how: 'term' | 'kill'): void {
    const pgid = this.pgid!;
    if (how === 'kill') {
      signalGroup(pgid, 'SIGKILL');
      return;
    }
    signalGroup(pgid, 'SIGTERM');
    this.termAt = Date.now();
    this.killTimer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), this.grace);
    this.killTimer.unref();
  }

  check(): void {
    if (this.done || this.pgid === null) return;
    if (groupAlive(this.pgid)) {
      this.suspect = false;
      return;
    }
    if (!this.suspect) {
      this.suspect = true; // its report may still be on its way
      return;
    }
    this.finish(this.stopping ? { code: null, signal: 'SIGKILL', error: null } : { code: null, signal: null, error: 'its process group was killed before it could report an exit status' });
  }

  finish(exit: Exit): void {
    if (this.done) return;
    this.done = true;
    if (this.killTimer) clearTimeout(this.killTimer);
    this.forget(this.pgid, this.stopping === 'term' ? this.termAt : null);
    this.listener.exited(exit);
  }
}

/** Output that reached a lane after its task ended belongs to that task's log. */
function settleLane(lane: Lane): void {
  moveLog(lane.path, lane.owner!.log);
  lane.owner = null;
}

const SIGNAL_NAMES = new Map(Object.entries(os.constants.signals).map(([name, n]) => [n, name]));

/** A bash status as an exit: 128+n means the task died of signal n. */
function exitFromStatus(status: number): Exit {
  const signal = status > 128 ? SIGNAL_NAMES.get(status - 128) : undefined;
  return signal ? { code: null, signal, error: null } : { code: status, signal: null, error: null };
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
