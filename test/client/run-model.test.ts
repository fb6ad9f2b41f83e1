import * as assert from 'node:assert/strict';
import type { RunEvent, RunSummary } from '../../core/src/protocol/agent';
import { finishMessage, formatDuration, progressMessage, relativeTime, runDescription, taskDescription, taskIcon, telltaleTask } from '../../client/src/runs/format';
import { countsOf, progressOf, runKey, RunsModel } from '../../client/src/runs/run-model';

const F = '/ws/churn';
const FILE = `${F}/churn.pipeline.yaml`;
const TASKS = ['ingest', 'featurize', 'train', 'evaluate', 'report'];
const T0 = Date.parse('2026-01-05T10:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function started(runId = 'r1', tasks = TASKS): RunEvent {
  return { type: 'run-started', runId, pipeline: 'churn-train', file: FILE, startedAt: at(0), params: { lr: 0.5 }, resumedFrom: null, trigger: 'rpc', path: 'churn.pipeline.yaml', tasks };
}
function taskStarted(task: string, s: number, runId = 'r1', attempt = 1): RunEvent {
  return { type: 'task-started', runId, task, attempt, at: at(s), pid: 100, log: `${F}/.mlops/runs/${runId}/${task}.log` };
}
function taskFinished(task: string, s: number, status: 'succeeded' | 'failed' | 'cached' | 'skipped', durationMs: number, extra: Partial<RunEvent & { type: 'task-finished' }> = {}, runId = 'r1'): RunEvent {
  return {
    type: 'task-finished',
    runId,
    task,
    status,
    attempts: 1,
    exitCode: status === 'failed' ? 1 : status === 'succeeded' ? 0 : null,
    durationMs,
    cached: status === 'cached',
    fingerprint: null,
    message: null,
    log: null,
    at: at(s),
    ...extra,
  } as RunEvent;
}
function summary(id: string, startedS: number, status: RunSummary['status'], counts: RunSummary['counts']): RunSummary {
  return {
    id,
    pipeline: 'churn-train',
    status,
    startedAt: at(startedS),
    endedAt: status === 'running' ? null : at(startedS + 10),
    params: {},
    file: FILE,
    path: 'churn.pipeline.yaml',
    resumedFrom: null,
    trigger: 'cli',
    message: null,
    user: 'ana',
    host: 'laptop',
    counts,
    reattachedAt: null,
  };
}

/** Feeds a whole successful churn run, the way the agent reports it. */
function succeed(m: RunsModel, runId = 'r1'): void {
  m.apply(F, started(runId));
  TASKS.forEach((t, i) => {
    m.apply(F, taskStarted(t, i * 2, runId));
    m.apply(F, taskFinished(t, i * 2 + 1.5, 'succeeded', 1500, {}, runId));
  });
  m.apply(F, { type: 'run-finished', runId, status: 'succeeded', endedAt: at(10), message: null });
}

describe('client: runs model (events → Runs view state)', () => {
  it('a run starts with every selected task waiting, in order', () => {
    const m = new RunsModel();
    const run = m.apply(F, started())!;
    assert.equal(run.status, 'running');
    assert.deepEqual(
      run.tasks!.map((t) => [t.id, t.status]),
      TASKS.map((t) => [t, 'pending']),
    );
    assert.deepEqual(progressOf(run), { done: 0, total: 5 });
    assert.equal(progressMessage(run), '0/5 tasks…');
  });

  it('follows tasks through running and finished; progress counts ended tasks', () => {
    const m = new RunsModel();
    m.apply(F, started());
    m.apply(F, taskStarted('ingest', 0));
    m.apply(F, taskFinished('ingest', 2, 'succeeded', 2000));
    m.apply(F, taskStarted('featurize', 2));
    const run = m.apply(F, taskFinished('featurize', 3, 'cached', 0))!;
    m.apply(F, taskStarted('train', 3));
    assert.deepEqual(
      run.tasks!.map((t) => t.status),
      ['succeeded', 'cached', 'running', 'pending', 'pending'],
    );
    assert.equal(progressMessage(run), '2/5 tasks…');
    assert.equal(taskDescription(run.tasks![0]!, T0), '2.0 s');
    assert.equal(taskDescription(run.tasks![1]!, T0), 'cached');
    assert.equal(taskDescription(run.tasks![2]!, T0 + 5500), '2.5 s', 'a running task shows how long it has been going');
    assert.equal(runDescription(run, T0 + 5500), 'running · 2/5 · 5.5 s');
  });

  it('a task on Slurm shows its job while queued, then its job and node', () => {
    const m = new RunsModel();
    m.apply(F, started());
    m.apply(F, { type: 'task-started', runId: 'r1', task: 'ingest', attempt: 1, at: at(0), pid: null, log: '/x.log', executor: 'slurm', jobId: '42' });
    let run = m.apply(F, { type: 'task-job', runId: 'r1', task: 'ingest', attempt: 1, at: at(0.5), job: { jobId: '42', node: null, state: 'PENDING', reason: 'Priority' } })!;
    assert.equal(taskDescription(run.tasks![0]!, T0 + 1000), 'job 42 queued · 1.0 s');
    assert.equal(run.tasks![0]!.message, 'queued on Slurm (Priority)');
    m.apply(F, { type: 'task-job', runId: 'r1', task: 'ingest', attempt: 1, at: at(1), job: { jobId: '42', node: 'n2', state: 'RUNNING', reason: null } });
    run = m.apply(F, taskFinished('ingest', 3, 'succeeded', 3000))!;
    assert.equal(taskDescription(run.tasks![0]!, T0), 'job 42 on n2 · 3.0 s');
  });

  it('a reattached run is running again, and its tasks are fetched afresh', () => {
    const m = new RunsModel();
    m.apply(F, started());
    m.interruptRunning(F, 'the MLOps agent stopped while it ran', at(1));
    const run = m.apply(F, { type: 'run-reattached', runId: 'r1', at: at(2), message: 'its agent stopped' })!;
    assert.deepEqual([run.status, run.reattachedAt, run.tasks, run.live], ['running', at(2), undefined, false]);
  });

  it('a retry shows the next attempt and why', () => {
    const m = new RunsModel();
    m.apply(F, started());
    m.apply(F, taskStarted('ingest', 0));
    const run = m.apply(F, { type: 'task-retrying', runId: 'r1', task: 'ingest', attempt: 1, exitCode: 2, reason: 'exit code 2', delayMs: 10_000, at: at(1) })!;
    const t = run.tasks![0]!;
    assert.equal(t.status, 'running');
    assert.equal(t.attempt, 2);
    assert.match(t.message!, /attempt 1 failed \(exit code 2\); retrying in 10 s/);
    assert.match(progressMessage(run), /retrying ingest/);
  });

  it('a succeeded run: 5 succeeded tasks and a message with the time it took', () => {
    const m = new RunsModel();
    succeed(m);
    const run = m.find('r1')!;
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(countsOf(run), { succeeded: 5 });
    assert.equal(finishMessage(run, T0 + 60_000), 'churn-train succeeded: 5 tasks in 10.0 s.');
    assert.equal(runDescription(run, T0 + 5 * 60_000), '5 min ago · 10.0 s');
  });

  it('a failed run names the failed task and why; its log is the one to show', () => {
    const m = new RunsModel();
    m.apply(F, started());
    m.apply(F, taskFinished('ingest', 1, 'succeeded', 1000));
    m.apply(F, taskFinished('featurize', 2, 'succeeded', 1000));
    m.apply(F, taskFinished('train', 3, 'succeeded', 1000));
    m.apply(F, taskFinished('evaluate', 4, 'failed', 700, { message: 'held-out AUC 0.61 is below min_auc 0.7' }));
    m.apply(F, taskFinished('report', 4, 'skipped', 0, { message: "needs 'evaluate', which failed" }));
    const run = m.apply(F, { type: 'run-finished', runId: 'r1', status: 'failed', endedAt: at(4), message: null })!;
    assert.equal(finishMessage(run, T0), "churn-train failed: task 'evaluate' failed — held-out AUC 0.61 is below min_auc 0.7.");
    assert.equal(telltaleTask(run)?.id, 'evaluate');
    assert.equal(taskDescription(run.tasks![3]!, T0), 'exit 1 · 700 ms');
    assert.equal(taskIcon('failed').id, 'error');
  });

  it('a failure without a message gives the exit code', () => {
    const m = new RunsModel();
    m.apply(F, started('r1', ['a']));
    m.apply(F, taskFinished('a', 1, 'failed', 10, { exitCode: 3 }));
    const run = m.apply(F, { type: 'run-finished', runId: 'r1', status: 'failed', endedAt: at(1), message: null })!;
    assert.equal(finishMessage(run, T0), "churn-train failed: task 'a' failed — exit code 3.");
  });

  it('listings: newest first, unknown tasks are fetched later, a folder listing drops runs no longer recorded', () => {
    const m = new RunsModel();
    m.setListing(F, [summary('r3', 30, 'failed', { succeeded: 2, failed: 1, skipped: 2 }), summary('r2', 20, 'succeeded', { succeeded: 5 })]);
    m.setListing('/ws/other', [summary('o1', 25, 'succeeded', { succeeded: 1 })]);
    assert.deepEqual(
      m.list().map((r) => r.id),
      ['r3', 'o1', 'r2'],
    );
    assert.equal(m.find('r3')!.tasks, undefined);
    assert.deepEqual(progressOf(m.find('r3')!), { done: 5, total: 5 });
    m.setListing(F, [summary('r3', 30, 'failed', { succeeded: 2, failed: 1, skipped: 2 })]);
    assert.deepEqual(
      m.list().map((r) => r.id),
      ['r3', 'o1'],
    );
  });

  it('a live run keeps its event-fed tasks when a listing that predates its end arrives', () => {
    const m = new RunsModel();
    m.apply(F, started('r9'));
    m.apply(F, taskFinished('ingest', 1, 'succeeded', 1000, {}, 'r9'));
    m.setListing(F, [summary('r9', 0, 'running', { pending: 5 })]);
    assert.equal(m.find('r9')!.tasks![0]!.status, 'succeeded');
    m.setListing(F, []);
    assert.ok(m.find('r9'), 'a live run is not dropped by a listing that does not have it yet');
  });

  it('keeps fetched tasks of an unchanged ended run; a run that changed is fetched again', () => {
    const m = new RunsModel();
    const s = summary('r2', 20, 'succeeded', { succeeded: 1 });
    m.setRecord(
      F,
      {
        id: 'r2',
        pipeline: 'churn-train',
        status: 'succeeded',
        startedAt: s.startedAt,
        endedAt: s.endedAt,
        params: {},
        tasks: [{ id: 'a', status: 'succeeded', attempts: 1, exitCode: 0, durationMs: 5, cached: false, fingerprint: null }],
      },
      s,
    );
    m.setListing(F, [s]);
    assert.equal(m.find('r2')!.tasks!.length, 1);
    m.setListing(F, [{ ...s, status: 'interrupted' }]);
    assert.equal(m.find('r2')!.tasks, undefined);
  });

  it('an agent that goes away interrupts the runs it was running (and only those)', () => {
    const m = new RunsModel();
    m.apply(F, started('live'));
    m.apply(F, taskStarted('ingest', 0, 'live'));
    m.setListing(F, [summary('cli', 5, 'running', { running: 1 })]);
    const hit = m.interruptRunning(F, 'the MLOps agent stopped while it ran', at(9));
    assert.deepEqual(
      hit.map((r) => r.id),
      ['live'],
    );
    assert.equal(m.find('live')!.status, 'interrupted');
    assert.deepEqual(
      m.find('live')!.tasks!.map((t) => t.status),
      TASKS.map(() => 'interrupted'),
    );
    assert.equal(m.find('cli')!.status, 'running', "a run of another process is not this agent's to end");
  });

  it('run keys (also tree item ids) are printable and tell runs and folders apart', () => {
    const keys = [runKey('/ws/a', 'r1'), runKey('/ws/a', 'r2'), runKey('/ws/b', 'r1'), runKey('/ws/a|r', '1')];
    assert.equal(new Set(keys).size, keys.length);
    // eslint-disable-next-line no-control-regex -- it looks for control characters on purpose
    for (const k of keys) assert.doesNotMatch(k, /[\u0000-\u001f]/);
  });

  it('events of an unknown run are reported as such (the caller lists again)', () => {
    const m = new RunsModel();
    assert.equal(m.apply(F, taskStarted('ingest', 0, 'nope')), undefined);
  });

  it('latestOf finds the newest run of a file that ran a task', () => {
    const m = new RunsModel();
    succeed(m, 'a1');
    m.apply(F, { ...(started('a2', ['report']) as RunEvent & { type: 'run-started' }), startedAt: at(100) });
    assert.equal(m.latestOf(FILE)!.id, 'a2');
    assert.equal(m.latestOf(FILE, 'report')!.id, 'a1', 'a2 has not started report yet');
    assert.equal(m.latestOf(FILE, 'train')!.id, 'a1');
  });
});

describe('client: run formatting', () => {
  it('durations', () => {
    assert.equal(formatDuration(850), '850 ms');
    assert.equal(formatDuration(7240), '7.2 s');
    assert.equal(formatDuration(65_000), '1 min 05 s');
    assert.equal(formatDuration(2 * 3600_000 + 3 * 60_000), '2 h 03 min');
  });

  it('relative times', () => {
    assert.equal(relativeTime(at(0), T0 + 10_000), 'just now');
    assert.equal(relativeTime(at(0), T0 + 5 * 60_000), '5 min ago');
    assert.equal(relativeTime(at(0), T0 + 3 * 3600_000), '3 h ago');
    assert.equal(relativeTime(at(0), T0 + 30 * 3600_000), 'yesterday');
    assert.equal(relativeTime(at(0), T0 + 4 * 86_400_000), '4 days ago');
    assert.equal(relativeTime(at(0), T0 + 30 * 86_400_000), '2026-01-05');
  });

  it('every task status has an icon; the ones the issue names are used', () => {
    assert.equal(taskIcon('succeeded').id, 'pass');
    assert.equal(taskIcon('running').id, 'sync~spin');
    assert.equal(taskIcon('cached').id, 'debug-step-over');
    assert.equal(taskIcon('cancelled').id, 'circle-slash');
  });
});
