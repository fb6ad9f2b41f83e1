import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { migrate } from './migrations';

/** The database file in the state folder; the Store and the model registry share it. */
export const DB_FILE = 'state.db';

/** Creates the state folder (ignored by git) when needed and opens its database. */
export function createStateDb(stateDir: string): DatabaseSync {
  fs.mkdirSync(stateDir, { recursive: true });
  const ignore = path.join(stateDir, '.gitignore');
  if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '*\n');
  return connectStateDb(stateDir);
}

/** Opens the state folder's database when it has one; undefined otherwise. */
export function openExistingStateDb(stateDir: string): DatabaseSync | undefined {
  return fs.existsSync(path.join(stateDir, DB_FILE)) ? connectStateDb(stateDir) : undefined;
}

/**
 * One connection to the state database. Each user opens its own, so the Store and the
 * registry work side by side, also across processes: WAL mode and a busy timeout let one
 * writer and many readers share the file. Migrations run on every open.
 */
function connectStateDb(stateDir: string): DatabaseSync {
  const db = new DatabaseSync(path.join(stateDir, DB_FILE));
  db.exec('PRAGMA busy_timeout = 10000');
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = ON');
  migrate(db);
  return db;
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
      this.db.exec('ROLLBACK');
      throw e;
    }
  }
}
