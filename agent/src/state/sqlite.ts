import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { makeDirs } from '../util/files';
import { explainStateError, noteStateFile, StoreError } from './errors';
import { migrate, SCHEMA_VERSION } from './migrations';

/** The database file in the state folder; the Store and the model registry share it. */
export const DB_FILE = 'state.db';

/** Creates the state folder (ignored by git) when needed and opens its database. */
export function createStateDb(stateDir: string): DatabaseSync {
  try {
    // Not Node's recursive mkdir: it never returns for a folder that can be neither found nor made (/proc/x).
    makeDirs(stateDir);
    const ignore = path.join(stateDir, '.gitignore');
    if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '*\n');
  } catch (e) {
    // A read-only folder that already holds a database can still be read.
    if (!fs.existsSync(path.join(stateDir, DB_FILE))) {
      const x = e as NodeJS.ErrnoException;
      throw explainStateError(e, path.join(stateDir, DB_FILE)) ?? new StoreError(`The state folder ${stateDir} cannot be used (${x.code ?? x.message} on ${x.path ?? stateDir}); pass --state-dir with a writable folder.`);
    }
  }
  return connectStateDb(stateDir);
}

/** Opens the state folder's database when it has one; undefined otherwise. */
export function openExistingStateDb(stateDir: string): DatabaseSync | undefined {
  return fs.existsSync(path.join(stateDir, DB_FILE)) ? connectStateDb(stateDir) : undefined;
}

/**
 * One connection to the state database. Each user opens its own, so the Store and the
 * registry work side by side, also across processes: WAL mode and a busy timeout let one
 * writer and many readers share the file. Migrations run on every open. A database that
 * cannot be written (a read-only folder or disk) is opened for reading, so history can
 * still be looked at; writing then fails with a sentence that says why.
 */
function connectStateDb(stateDir: string): DatabaseSync {
  const file = path.join(stateDir, DB_FILE);
  noteStateFile(file);
  refuseTruncated(stateDir, file);
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file);
    db.exec('PRAGMA busy_timeout = 10000');
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA foreign_keys = ON');
    migrate(db);
    return db;
  } catch (e) {
    db?.close();
    const why = explainStateError(e, file);
    // A full disk may refuse even what opening writes (the WAL index): reading still works.
    if ((why?.reason === 'read-only' || why?.reason === 'full') && fs.existsSync(file)) return openReadOnly(file, why);
    throw why ?? e;
  }
}

/** The database of a folder that cannot be written (or of a full disk), for reading only. */
function openReadOnly(file: string, why: StoreError): DatabaseSync {
  // Without its -shm file, and no right to create one, SQLite reads a WAL database only as immutable.
  for (const name of [file, `file:${encodeURI(file).replace(/[?#]/g, encodeURIComponent)}?immutable=1`]) {
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(name, { readOnly: true });
      const v = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
      if (v !== SCHEMA_VERSION) {
        db.close();
        throw new StoreError(
          `${file} is read-only and was written by ${v < SCHEMA_VERSION ? 'an older' : 'a newer'} mlops (schema ${v}, this one reads ${SCHEMA_VERSION}); make ${path.dirname(file)} writable once so it can be upgraded, or use the matching mlops.`,
          'read-only',
        );
      }
      noteStateFile(file, why);
      return db;
    } catch (e) {
      db?.close();
      if (e instanceof StoreError) throw e;
    }
  }
  throw why;
}

/**
 * An empty (0-byte) database in a folder that holds run logs lost its history — cut short by
 * a full disk or a crash; SQLite would read it as a new, empty one without a word.
 */
function refuseTruncated(stateDir: string, file: string): void {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return;
  }
  if (size > 0 || fileSize(`${file}-wal`) > 0) return;
  if (!hasEntries(path.join(stateDir, 'runs'))) return;
  throw new StoreError(
    `${file} is empty (0 bytes) although ${path.join(stateDir, 'runs')} holds run logs: its history is gone, probably cut short by a full disk or a crash; move it aside (mv ${file} ${file}.empty) to start a new history.`,
    'damaged',
  );
}

function fileSize(p: string): number {
  try {
    return fs.statSync(p).size;
  } catch {
    return 0;
  }
}

function hasEntries(dir: string): boolean {
  try {
    return fs.readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

/** What the Store and the registry share on their connection: prepared statements, write transactions. */
export abstract class StateDb {
  private readonly stmts = new Map<string, StatementSync>();

  protected constructor(
    readonly stateDir: string,
    protected readonly db: DatabaseSync,
  ) {}

  close(): void {
    this.db.close();
  }

  /** The statement for `sql`, prepared once per connection. */
  protected stmt(sql: string): StatementSync {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /** Runs `fn` in one write transaction; rolls back and rethrows when it throws. */
  transaction<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn();
      this.db.exec('COMMIT');
      return out;
    } catch (e) {
      // SQLite may already have rolled back (a full disk does): the first error is the one to report.
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // No transaction left to roll back.
      }
      throw explainStateError(e, path.join(this.stateDir, DB_FILE)) ?? e;
    }
  }
}
