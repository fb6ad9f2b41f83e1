/**
 * The SQLite store writes a task's start and end that come in one commit as one attempt
 * row: the rows must be exactly those that the same events give one commit at a time.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { RunEvent } from '../../core/src/protocol/agent';
import { SqliteStore } from '../../agent/src/state/sqlite-store';
import { tempDir } from '../files';

const T = (s: number) => new Date(Date.UTC(2026, 0, 5, 10, 0, s)).toISOString();

/** A run of a (succeeds), b (fails, retried, then succeeds), c (on a cluster, submitted first) and d (fails). */
function events(runId: string): RunEvent[] {
  const log = `/w/.mlops/runs/${runId}`;
  return [
    { type: 'run-started', runId, pipeline: 'p', file: '/w/p.pipeline.yaml', startedAt: T(0), params: {}, resumedFrom: null, trigger: 'cli', path: 'p.pipeline.yaml', tasks: ['a', 'b', 'c', 'd'] },
    { type: 'task-started', runId, task: 'a', attempt: 1, at: T(1), pid: 11, log: `${log}/.lane-0.log` },
    { type: 'task-started', runId, task: 'b', attempt: 1, at: T(1), pid: 12, log: `${log}/.lane-1.log` },
    { type: 'task-finished', runId, task: 'a', status: 'succeeded', attempts: 1, exitCode: 0, durationMs: 5, cached: false, fingerprint: 'fa', message: null, log: `${log}/a.log`, at: T(2) },
    { type: 'task-retrying', runId, task: 'b', attempt: 1, exitCode: 3, reason: 'exit 3', delayMs: 10, at: T(2) },
    { type: 'task-started', runId, task: 'b', attempt: 2, at: T(3), pid: 13, log: `${log}/b.log` },
    { type: 'task-started', runId, task: 'c', attempt: 1, at: T(3), pid: null, log: `${log}/c.log`, executor: 'slurm', jobId: '77' },
    { type: 'task-job', runId, task: 'c', attempt: 1, at: T(3), job: { jobId: '77', node: 'n1', state: 'RUNNING', reason: null } },
    { type: 'task-finished', runId, task: 'b', status: 'succeeded', attempts: 2, exitCode: 0, durationMs: 4, cached: false, fingerprint: 'fb', message: null, log: `${log}/b.log`, at: T(4) },
    { type: 'task-finished', runId, task: 'c', status: 'succeeded', attempts: 1, exitCode: 0, durationMs: 9, cached: false, fingerprint: 'fc', message: null, log: `${log}/c.log`, at: T(4) },
    { type: 'task-started', runId, task: 'd', attempt: 1, at: T(4), pid: 14, log: `${log}/.lane-0.log` },
    { type: 'task-finished', runId, task: 'd', status: 'failed', attempts: 1, exitCode: 2, durationMs: 1, cached: false, fingerprint: 'fd', message: 'exit 2', log: `${log}/d.log`, at: T(5) },
    { type: 'run-finished', runId, status: 'failed', endedAt: T(6), message: null },
  ] as RunEvent[];
}

describe('SQLite store: a start and its end in one commit', () => {
  it('gives the same rows as the events recorded one commit at a time', () => {
    const t = tempDir('mlops-batch-');
    try {
      const stateDir = path.join(t.dir, '.mlops');
      const store = SqliteStore.open(stateDir, stateDir, { user: 'ana', host: 'laptop-1' });
      for (const runId of ['together', 'apart']) {
        const [start, ...rest] = events(runId);
        store.record([start!]);
        // The cluster attempt's row is written before its submission, as the slurm executor does.
        store.intendSubmissions([{ runId, task: 'c', attempt: 1, executor: 'slurm', log: `/w/.mlops/runs/${runId}/c.log` }], T(3));
        if (runId === 'together') store.record(rest);
        else for (const e of rest) store.record([e]);
      }
      store.close();
      const db = new DatabaseSync(path.join(stateDir, 'state.db'), { readOnly: true });
      try {
        const rows = (table: string, runId: string) =>
          db
            .prepare(`SELECT * FROM ${table} WHERE run_id = ? ORDER BY task${table === 'attempts' ? ', attempt' : ''}`)
            .all(runId)
            .map((r) => JSON.stringify({ ...r, run_id: null, log: typeof r.log === 'string' ? path.basename(r.log) : r.log }));
        for (const table of ['tasks', 'attempts']) assert.deepEqual(rows(table, 'together'), rows(table, 'apart'), table);
        assert.deepEqual(
          db
            .prepare(`SELECT task, attempt, status, started_at, ended_at, pid, exit_code, job_id, node FROM attempts WHERE run_id = 'together' ORDER BY task, attempt`)
            .all()
            .map((r) => Object.values(r)),
          [
            ['a', 1, 'succeeded', T(1), T(2), 11, 0, null, null],
            ['b', 1, 'failed', T(1), T(2), 12, 3, null, null],
            ['b', 2, 'succeeded', T(3), T(4), 13, 0, null, null],
            ['c', 1, 'succeeded', T(3), T(4), null, 0, '77', 'n1'],
            ['d', 1, 'failed', T(4), T(5), 14, 2, null, null],
          ],
        );
      } finally {
        db.close();
      }
    } finally {
      t.cleanup();
    }
  });
});
