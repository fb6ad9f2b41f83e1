import * as fs from 'node:fs';
import * as path from 'node:path';

/** Why a store cannot be used, when a command can act on it: read-only (reading still works), full, or damaged. */
export type StoreErrorReason = 'read-only' | 'full' | 'damaged';

/** A store that cannot be used: unreachable, refused, or of a newer schema. Commands exit 2 with its message. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly reason?: StoreErrorReason,
  ) {
    super(message);
  }
}

/** The state database most recently opened: what an error met later is about. */
let lastFile: string | undefined;

/** Why a state database was opened for reading only (a full disk, a read-only folder), by file. */
const readOnlyBecause = new Map<string, StoreError>();

/** Records which state database this process works on, for errors met later (and why it could only be opened for reading). */
export function noteStateFile(file: string, readOnly?: StoreError): void {
  lastFile = file;
  if (readOnly) readOnlyBecause.set(file, readOnly);
}

/**
 * A SQLite or file-system failure on the state database as one sentence naming the file and
 * what to do; undefined for anything else. `file` defaults to the database opened last.
 */
export function explainStateError(e: unknown, file = lastFile): StoreError | undefined {
  if (e instanceof StoreError) return e;
  const err = e as { code?: string; errcode?: number; errstr?: string; path?: string } | null;
  if (!err || typeof err !== 'object' || !file) return undefined;
  const sqlite = err.code === 'ERR_SQLITE_ERROR' && typeof err.errcode === 'number' ? err.errcode & 0xff : undefined;
  if (sqlite === undefined && !['ENOSPC', 'EROFS', 'EACCES', 'EPERM', 'EDQUOT'].includes(err.code ?? '')) return undefined;
  // A file-system error names its own file (a log, the state folder).
  if (sqlite === undefined && err.path) file = err.path;
  const dir = path.dirname(file);
  const detail = err.errstr ?? err.code;
  // A write refused on a database opened for reading: the reason it was opened so is the one to give.
  if (sqlite === 8 && readOnlyBecause.has(file)) return readOnlyBecause.get(file);
  switch (sqlite ?? err.code) {
    case 26: // SQLITE_NOTADB
      return new StoreError(`${file} is not an SQLite database (it was overwritten or damaged); move it aside (mv ${file} ${file}.broken) to start a new history, or restore it from a backup.`, 'damaged');
    case 11: // SQLITE_CORRUPT
      return new StoreError(`${file} is damaged (${detail}); save what it still holds with sqlite3 ${file} .recover > recovered.sql, then move it aside (mv ${file} ${file}.broken) to start a new history.`, 'damaged');
    case 13: // SQLITE_FULL
    case 'ENOSPC':
    case 'EDQUOT':
      return new StoreError(`Cannot write ${file}: the disk is full; free some space, then run the command again (mlops run --resume last finishes an interrupted run).`, 'full');
    case 8: // SQLITE_READONLY
    case 14: // SQLITE_CANTOPEN: no right to create the database or its -wal/-shm files
    case 'EROFS':
    case 'EACCES':
    case 'EPERM':
      return new StoreError(`${dir} cannot be written (${detail}); runs and model changes are recorded there: make it writable or pass --state-dir DIR (reading it still works).`, 'read-only');
    case 10: // SQLITE_IOERR: what a write into a full disk often comes back as
      if (diskFull(dir)) return new StoreError(`Cannot write ${file}: the disk is full; free some space, then run the command again (mlops run --resume last finishes an interrupted run).`, 'full');
      return new StoreError(`Cannot read or write ${file} (${detail}); check the disk it is on, and free space if it is full.`, 'damaged');
    case 5: // SQLITE_BUSY
    case 6: // SQLITE_LOCKED
      return new StoreError(`${file} stayed locked by another mlops process for more than 10 s; try again when it is done.`);
    default:
      return new StoreError(`${file}: ${detail}; if this persists, move it aside (mv ${file} ${file}.broken) to start a new history.`, 'damaged');
  }
}

/** Whether the file system holding `dir` has (next to) no room left. */
function diskFull(dir: string): boolean {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize < 64 * 1024;
  } catch {
    return false;
  }
}
