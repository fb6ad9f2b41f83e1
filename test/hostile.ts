/**
 * Hostile files for tests: FIFOs, links to devices and out of a folder, sparse files that
 * are huge on paper; and the peak memory of a process under test.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Makes a FIFO (nobody ever writes to it: opening it for reading would wait forever). */
export function mkfifo(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  execFileSync('mkfifo', [file]);
}

/** A symbolic link at `link` to `target`, creating the folder. */
export function symlink(target: string, link: string): void {
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(target, link);
}

/** A sparse file of `bytes` (zeros): instant to make, takes no disk, but reading it takes that much. */
export function sparseFile(file: string, bytes: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.closeSync(fs.openSync(file, 'w'));
  fs.truncateSync(file, bytes);
}

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

/** Compiled to out/test/, beside the preload that reports a process's peak memory. */
const RSS_PRELOAD = path.join(__dirname, 'rss-preload.js');

/**
 * Environment that makes a Node process under test write its peak resident memory (bytes)
 * to `file` when it exits; read it with `peakRssOf`.
 */
export function rssEnv(file: string): NodeJS.ProcessEnv {
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${RSS_PRELOAD}`.trim(), MLOPS_TEST_RSS_FILE: file };
}

/** The peak resident memory a process reported through `rssEnv`, in bytes. */
export function peakRssOf(file: string): number {
  return Number(fs.readFileSync(file, 'utf8'));
}

/** The peak resident memory of a running process (VmHWM), in bytes; Linux only. */
export function peakRssOfPid(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmHWM:\s+(\d+) kB/m.exec(status);
  if (!m) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}
