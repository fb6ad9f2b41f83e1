import { readFileSync } from 'node:fs';

/** Linux reports a thread's CPU time in clock ticks of 1/100 s (USER_HZ) to user space. */
const TICK_MS = 10;

/** A thread's CPU time in ms, read from /proc; throws when the thread or /proc is not there. */
function threadCpuMs(tid: number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  // After the command name (in parentheses, and it may hold spaces) come the state, then
  // ten more fields, then utime and stime.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  if (!Number.isFinite(ms)) throw new Error(`unexpected /proc/self/task/${tid}/stat`);
  return ms;
}

function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * A reader of the CPU time (ms) a worker thread has had: its own thread's where /proc tells
 * it (Linux), else the whole process's, which is never less. A thread that has gone reads
 * as having used everything (Infinity), so a budget on it runs out.
 */
export function cpuClock(tid: number | undefined): () => number {
  if (tid !== undefined) {
    try {
      threadCpuMs(tid);
      return () => {
        try {
          return threadCpuMs(tid);
        } catch {
          return Infinity;
        }
      };
    } catch {
      // no /proc: the process's time below
    }
  }
  return processCpuMs;
}
