import * as fs from 'node:fs';
import { isTaskEnded } from '../../../core/src/protocol/agent';
import type { Store } from './store';

/** The bytes of a log file from `offset`, at most `limit`, exactly as written; undefined when it cannot be opened. */
export function readLogBytes(file: string, offset: number, limit: number): { bytes: Buffer; nextOffset: number } | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    // A log cut at its limit (execute/log-limit.ts) may now end before where a reader was: go on from its end.
    offset = Math.min(offset, fs.fstatSync(fd).size);
    const buf = Buffer.allocUnsafe(limit);
    const n = fs.readSync(fd, buf, 0, limit, offset);
    return { bytes: buf.subarray(0, n), nextOffset: offset + n };
  } finally {
    fs.closeSync(fd);
  }
}

/** A piece of a log file from `offset`, at most `limit` bytes, ending on a whole UTF-8 character. */
export function readLogChunk(file: string, offset: number, limit: number): { text: string; nextOffset: number } | undefined {
  const r = readLogBytes(file, offset, limit);
  if (!r) return undefined;
  const buf = r.bytes;
  const n = buf.length;
  let end = n;
  // Do not split a multi-byte character: back off to the start of an incomplete one.
  if (n === limit) {
    let i = n - 1;
    while (i >= 0 && i > n - 4 && (buf[i]! & 0xc0) === 0x80) i--;
    if (i >= 0 && buf[i]! >= 0xc0 && n - i < utf8Length(buf[i]!)) end = i;
  }
  return { text: buf.subarray(0, end).toString('utf8'), nextOffset: r.nextOffset - n + end };
}

function utf8Length(lead: number): number {
  return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
}

/** Size in bytes; 0 when the file does not exist. */
function fileSize(file: string): number {
  return fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
}

/**
 * Makes `from` the content (or the rest) of the log `to`: a rename, or an append when `to`
 * exists. Nothing happens when `from` is empty or missing.
 */
export function moveLog(from: string, to: string): void {
  if (fileSize(from) === 0) return;
  try {
    if (!fs.existsSync(to)) {
      fs.renameSync(from, to);
      return;
    }
    appendFile(from, to);
    fs.truncateSync(from);
  } catch {
    // A log that cannot be moved stays where it is; the run goes on.
  }
}

const MOVE_CHUNK = 1 << 20;

/** Appends `from` to `to` a piece at a time: a log may be as large as its limit (any size), never held whole. */
function appendFile(from: string, to: string): void {
  const src = fs.openSync(from, 'r');
  try {
    const dst = fs.openSync(to, 'a');
    try {
      const buf = Buffer.allocUnsafe(MOVE_CHUNK);
      for (let n; (n = fs.readSync(src, buf, 0, MOVE_CHUNK, null)) > 0;) {
        for (let off = 0; off < n;) off += fs.writeSync(dst, buf, off, n - off);
      }
    } finally {
      fs.closeSync(dst);
    }
  } finally {
    fs.closeSync(src);
  }
}

/** Log lanes of a run's folder (see execute/local.ts). */
export const LANE = /^\.lane-\d+\.log$/;

/** A chunk of a task's log, and whether the task has ended (so nothing more will come). */
export interface TaskLogChunk<T = string> {
  text: T;
  nextOffset: number;
  ended: boolean;
  /** False when the task never ran and so has no log at all. */
  ran: boolean;
}

/**
 * Reads a task's log from `offset`. While a first attempt runs, its output goes to a log
 * lane that becomes the task's log when it ends (same file, so offsets carry over); the
 * lane is read only if the task is still running after the read — otherwise the lane may
 * already serve another task, and the task's own log is read instead.
 */
export async function readTaskLog(store: Store, runId: string, task: string, offset: number, limit: number): Promise<TaskLogChunk | undefined> {
  return readTaskLogWith(
    store,
    runId,
    task,
    offset,
    (file) => {
      const c = readLogChunk(file, offset, limit);
      return c && { data: c.text, nextOffset: c.nextOffset };
    },
    '',
  );
}

/** readTaskLog as bytes, exactly as the task wrote them (what `mlops runs logs` prints). */
export async function readTaskLogBytes(store: Store, runId: string, task: string, offset: number, limit: number): Promise<TaskLogChunk<Buffer> | undefined> {
  return readTaskLogWith(
    store,
    runId,
    task,
    offset,
    (file) => {
      const c = readLogBytes(file, offset, limit);
      return c && { data: c.bytes, nextOffset: c.nextOffset };
    },
    Buffer.alloc(0),
  );
}

async function readTaskLogWith<T>(store: Store, runId: string, task: string, offset: number, read: (file: string) => { data: T; nextOffset: number } | undefined, empty: T): Promise<TaskLogChunk<T> | undefined> {
  const before = await store.taskLogState(runId, task);
  if (!before) return undefined;
  const final = store.logPath(runId, task);
  // The last state read before the final log is: whether the task had ended by then.
  let now = before;
  if (before.status === 'running' && before.log && before.log !== final) {
    const chunk = read(before.log);
    const after = await store.taskLogState(runId, task);
    if (after?.status === 'running' && after.attempt === before.attempt) {
      return { text: chunk?.data ?? empty, nextOffset: chunk?.nextOffset ?? offset, ended: false, ran: true };
    }
    now = after!;
  }
  const chunk = read(final);
  return { text: chunk?.data ?? empty, nextOffset: chunk?.nextOffset ?? offset, ended: isTaskEnded(now.status), ran: before.attempt > 0 };
}
