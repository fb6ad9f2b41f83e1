import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { PlannedTask } from '../plan';
import { groupAlive, signalGroup } from '../util/process';
import { err, ok, type Result } from '../util/result';
import { killGraceMs, type Executor, type Exit, type Launch, type TaskHandle } from './executor';

const BASH_CANDIDATES = ['/bin/bash', '/usr/bin/bash', '/usr/local/bin/bash', '/opt/homebrew/bin/bash'];

/**
 * Runs each task as `bash -c COMMAND` in its working directory, in a process group of its
 * own (detached), with both output streams appended straight to the task's log file.
 * Stopping a task signals the whole group, so its children and grandchildren go too;
 * whatever a task leaves behind when it exits is stopped the same way.
 */
export class LocalExecutor implements Executor {
  readonly kind = 'local' as const;
  private readonly bash = BASH_CANDIDATES.find((b) => fs.existsSync(b)) ?? 'bash';

  async prepare(tasks: PlannedTask[]): Promise<Result<void>> {
    for (const t of tasks) {
      if (!isDir(t.workdir)) return err(`The working directory of task '${t.id}' does not exist: ${t.workdir}; create it or fix workdir:.`);
    }
    return ok(undefined);
  }

  start(launch: Launch, onExit: (exit: Exit) => void): TaskHandle {
    const grace = killGraceMs();
    let fd: number;
    try {
      fd = fs.openSync(launch.log, 'a');
    } catch (e) {
      return failed(onExit, `Cannot open the log file ${launch.log} (${(e as NodeJS.ErrnoException).code}).`);
    }
    let child;
    try {
      child = spawn(this.bash, ['-c', launch.task.command], {
        cwd: launch.task.workdir,
        env: { ...process.env, ...launch.task.env, ...launch.env },
        detached: true,
        stdio: ['ignore', fd, fd],
      });
    } catch (e) {
      return failed(onExit, `Cannot start bash: ${(e as Error).message}.`);
    } finally {
      fs.closeSync(fd);
    }
    const pid = child.pid ?? null;
    let stopping = false;
    let done = false;
    const finish = (exit: Exit) => {
      if (done) return;
      done = true;
      if (pid !== null) reapGroup(pid, stopping, grace);
      onExit(exit);
    };
    child.once('error', (e) => finish({ code: null, signal: null, error: `Cannot start the task: ${e.message}.` }));
    child.once('exit', (code, signal) => finish({ code, signal, error: null }));
    return {
      pid,
      stop(force = false) {
        if (done || pid === null) return;
        if (force) {
          stopping = true;
          signalGroup(pid, 'SIGKILL');
          return;
        }
        if (stopping) return;
        stopping = true;
        signalGroup(pid, 'SIGTERM');
        setTimeout(() => signalGroup(pid, 'SIGKILL'), grace).unref();
      },
    };
  }
}

/**
 * After a task's main process has exited, nothing of its group may outlive it: when the
 * task was being stopped the rest already had its SIGTERM and is killed now; after a normal
 * exit leftovers get SIGTERM and, if still there after the grace period, SIGKILL.
 */
function reapGroup(pgid: number, stopping: boolean, grace: number): void {
  if (stopping) {
    signalGroup(pgid, 'SIGKILL');
    return;
  }
  if (!signalGroup(pgid, 'SIGTERM')) return;
  setTimeout(() => {
    if (groupAlive(pgid)) signalGroup(pgid, 'SIGKILL');
  }, grace);
}

function failed(onExit: (exit: Exit) => void, error: string): TaskHandle {
  queueMicrotask(() => onExit({ code: null, signal: null, error }));
  return { pid: null, stop() {} };
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
