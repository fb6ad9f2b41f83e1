import * as fs from 'node:fs';

/** A process as /proc shows it. */
export interface ProcEntry {
  pid: number;
  pgid: number;
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
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(name), pgid: Number(rest[2]) }); // field 5, pgrp
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** Whether a process's environment holds exactly `entry` (`NAME=value`); false if unreadable. */
export function environHas(pid: number, entry: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry);
  } catch {
    return false;
  }
}

export const hasProcFs = (): boolean => fs.existsSync('/proc/self/stat');
