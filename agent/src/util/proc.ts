import * as fs from 'node:fs';

/**
 * The one reader of /proc (Linux): process groups for recovery, start times that tell a
 * process from a later one with the same pid, and environments. Everything returns an
 * empty answer where there is no /proc or the process is gone.
 */

/** A process as /proc shows it. */
export interface ProcEntry {
  pid: number;
  pgid: number;
  /** Start time in clock ticks since boot. */
  start: number;
}

/**
 * The fields of /proc/PID/stat after the command name, so `fields[0]` is field 3 (state).
 * The name (field 2) may hold spaces and parentheses, so it is cut at the last ')'.
 */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // no /proc, or the process ended while we looked
  }
}

/** Every process with its process group, from /proc; empty where there is no /proc. */
export function listProcesses(): ProcEntry[] {
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcEntry[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const fields = statFields(name);
    if (fields) out.push({ pid: Number(name), pgid: Number(fields[2]), start: Number(fields[19]) }); // fields 5 (pgrp) and 22 (starttime)
  }
  return out;
}

/** One process as /proc shows it; undefined when it is gone (or there is no /proc). */
export function processEntry(pid: number): ProcEntry | undefined {
  const fields = statFields(pid);
  return fields && { pid, pgid: Number(fields[2]), start: Number(fields[19]) };
}

/** A process's state letter (`R`, `S`, `Z` for a zombie…) and start token; undefined when it is gone or there is no /proc. */
export function processStatus(pid: number): { state: string; start: string } | undefined {
  const fields = statFields(pid);
  return fields && { state: fields[0] ?? '', start: fields[19] ?? '' };
}

/**
 * A token for "this process, not a later one with the same pid": its start time in clock
 * ticks since boot. Null where /proc is unavailable (then only the pid is checked).
 */
export function processStartToken(pid: number): string | null {
  return statFields(pid)?.[19] ?? null; // field 22, starttime
}

/** Whether a process's environment holds exactly `entry` (`NAME=value`); false if unreadable. */
export function environHas(pid: number, entry: string): boolean {
  return environ(pid).includes(entry);
}

/** A process's environment as `NAME=value` entries; empty if unreadable. */
export function environ(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
  } catch {
    return [];
  }
}

/** The value of one variable in a process's (initial) environment; undefined if absent or unreadable. */
export function environValue(pid: number, name: string): string | undefined {
  let env: string;
  try {
    env = fs.readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return undefined;
  }
  const key = `${name}=`;
  const at = env.startsWith(key) ? 0 : env.indexOf(`\0${key}`) + 1;
  if (at === 0 && !env.startsWith(key)) return undefined;
  const end = env.indexOf('\0', at);
  return Buffer.from(env.slice(at + key.length, end === -1 ? undefined : end), 'latin1').toString('utf8');
}

export const hasProcFs = (): boolean => fs.existsSync('/proc/self/stat');
