import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { processStartToken } from '../util/proc';
import { isAlive } from '../util/process';

/** The lock database in the state folder: local to this machine, whatever store holds the history. */
export const LOCKS_FILE = 'locks.db';

/** Who holds a pipeline. */
export interface LockHolder {
  runId: string;
  pid: number;
  host: string;
  since: string;
}

/**
 * One run at a time per pipeline file: a run writes its pipeline's outputs, and two at once
 * would both execute every task and interleave their writes. The lock is a row in a small
 * SQLite file beside the state (a write transaction makes take-or-refuse atomic across
 * processes); it names the run and the agent process that holds it, with that process's
 * start time, so a holder killed by SIGKILL is recognised as gone — as crash recovery does
 * — and its lock is taken over. The lock lives on this machine, because the outputs do.
 */
export class PipelineLocks {
  private readonly db: DatabaseSync;
  private readonly start = processStartToken(process.pid);
  private readonly host = os.hostname();

  constructor(stateDir: string) {
    fs.mkdirSync(stateDir, { recursive: true });
    this.db = new DatabaseSync(path.join(stateDir, LOCKS_FILE));
    this.db.exec('PRAGMA busy_timeout = 10000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS locks (
      pipeline TEXT PRIMARY KEY,
      run_id TEXT NOT NULL,
      pid INTEGER NOT NULL,
      start TEXT,
      host TEXT NOT NULL,
      since TEXT NOT NULL
    )`);
  }

  /** Takes the pipeline for `runId`; returns the live holder instead when another run has it. */
  acquire(pipeline: string, runId: string): LockHolder | null {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const row = this.db.prepare('SELECT run_id, pid, start, host, since FROM locks WHERE pipeline = ?').get(pipeline) as { run_id: string; pid: number; start: string | null; host: string; since: string } | undefined;
      // Another machine's process cannot be checked from here: its lock counts as held.
      if (row && row.run_id !== runId && (row.host !== this.host || isAlive(row.pid, row.start))) {
        this.db.exec('ROLLBACK');
        return { runId: row.run_id, pid: row.pid, host: row.host, since: row.since };
      }
      this.db.prepare('INSERT OR REPLACE INTO locks (pipeline, run_id, pid, start, host, since) VALUES (?, ?, ?, ?, ?, ?)').run(pipeline, runId, process.pid, this.start, this.host, new Date().toISOString());
      this.db.exec('COMMIT');
      return null;
    } catch (e) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw e;
    }
  }

  /** Gives the pipeline back, if `runId` still holds it. */
  release(pipeline: string, runId: string): void {
    this.db.prepare('DELETE FROM locks WHERE pipeline = ? AND run_id = ?').run(pipeline, runId);
  }

  close(): void {
    this.db.close();
  }
}
