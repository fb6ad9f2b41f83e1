import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommandResult } from '../../agent/src/execute/slurm/cli';
import { jobRequest } from '../../agent/src/execute/slurm/job';
import { exitOf, parseSacct, parseSqueue } from '../../agent/src/execute/slurm/states';
import { nextInterval, SlurmWatcher, type Clock, type StatusSource, type Watched } from '../../agent/src/execute/slurm/watcher';
import { pollPolicy } from '../../agent/src/execute/slurm/executor';
import type { PlannedTask } from '../../agent/src/plan';
import { tempDir } from '../files';

/** A clock whose time moves only when the test says so. */
class ManualClock implements Clock {
  t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private next = 1;
  now = () => this.t;
  setTimer = (fn: () => void, ms: number): NodeJS.Timeout => {
    const id = this.next++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id as unknown as NodeJS.Timeout;
  };
  clearTimer = (t: NodeJS.Timeout): void => {
    this.timers = this.timers.filter((x) => x.id !== (t as unknown as number));
  };
  /** When the next timer fires, or undefined. */
  get pending(): number | undefined {
    return this.timers.length ? Math.min(...this.timers.map((x) => x.at)) : undefined;
  }
  /** Moves to the next timer and runs it; then lets its promises settle. */
  async step(): Promise<number> {
    const due = this.pending;
    assert.ok(due !== undefined, 'no timer is set');
    this.t = due;
    const ready = this.timers.filter((x) => x.at <= this.t);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const x of ready) x.fn();
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    return due;
  }
}

/** The controller's answers, scripted per query; every query is logged. */
class Script implements StatusSource {
  readonly asked: string[] = [];
  squeueAnswer: () => CommandResult = () => ok('');
  sacctAnswer: () => CommandResult = () => ok('');
  async squeue(ids: string[]) {
    this.asked.push(`squeue ${ids.join(',')}`);
    return this.squeueAnswer();
  }
  async sacct(ids: string[], since: Date) {
    this.asked.push(`sacct ${ids.join(',')} since ${since.toISOString()}`);
    return this.sacctAnswer();
  }
}

const ok = (stdout: string): CommandResult => ({ code: 0, stdout, stderr: '', failure: null });
const down: CommandResult = { code: 1, stdout: '', stderr: 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n', failure: null };
const POLICY = { minMs: 250, maxMs: 10_000, graceMs: 60_000 };

function job(id: string, ends: unknown[], states: unknown[] = [], exitRecord = '/nonexistent/exit'): Watched {
  return { jobId: id, exitRecord, submittedAt: new Date('2026-12-01T23:50:00Z'), onState: (s) => states.push(s), onEnd: (e) => ends.push(e) };
}

describe('slurm: watching jobs', () => {
  it('asks once per poll about every job, fast after a change, backing off by 1.5× to the maximum while nothing changes', async () => {
    const clock = new ManualClock();
    const src = new Script();
    const w = new SlurmWatcher(POLICY, src, clock);
    const states: unknown[] = [];
    w.watch(job('11', [], states));
    w.watch(job('12', [], states));
    src.squeueAnswer = () => ok('11|PENDING||Priority|0\n12|PENDING||Priority|0\n');
    const times: number[] = [];
    for (let i = 0; i < 12; i++) times.push(await clock.step());
    assert.deepEqual(src.asked, Array(12).fill('squeue 11,12'));
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // The first answer is a change (both jobs seen queued): the next poll comes as fast as allowed.
    assert.deepEqual(gaps, [250, 375, 563, 845, 1268, 1902, 2853, 4280, 6420, 9630, 10_000]);
    assert.equal(states.length, 2);
    // A job starts: back to the fastest rate.
    src.squeueAnswer = () => ok('11|RUNNING|n1|None|0\n12|PENDING||Priority|0\n');
    const t = await clock.step();
    assert.equal((await clock.step()) - t, 250);
    assert.deepEqual(states.at(-1), { jobId: '11', node: 'n1', state: 'RUNNING', reason: null });
  });

  it('polls 250 ms after the first of a burst of submissions, not after the last', async () => {
    const clock = new ManualClock();
    const src = new Script();
    const w = new SlurmWatcher(POLICY, src, clock);
    src.squeueAnswer = () => ok('50|PENDING||Priority|0\n51|PENDING||Priority|0\n52|PENDING||Priority|0\n53|PENDING||Priority|0\n');
    for (const [i, t] of [0, 80, 160, 240].entries()) {
      clock.t = t;
      w.watch(job(String(50 + i), []));
    }
    assert.equal(clock.pending, 250);
    assert.equal(await clock.step(), 250);
    assert.deepEqual(src.asked, ['squeue 50,51,52,53']);
  });

  it("settles a job the controller forgot from its exit record, or asks accounting in the next poll instead of squeue, from before the run's first job", async () => {
    const clock = new ManualClock();
    const src = new Script();
    const w = new SlurmWatcher(POLICY, src, clock);
    const { dir, cleanup } = tempDir('mlops-watch-');
    try {
      const record = path.join(dir, 'a.1.exit');
      fs.writeFileSync(record, '3 n2\n');
      const ends: unknown[] = [];
      const states: unknown[] = [];
      w.watch(job('21', ends, states, record));
      w.watch(job('22', ends));
      src.squeueAnswer = () => ok('');
      await clock.step();
      // No poll saw it run: the node comes from the record, reported before the end.
      assert.deepEqual(states, [{ jobId: '21', node: 'n2', state: 'FAILED', reason: null }]);
      assert.deepEqual(ends, [{ report: { jobId: '21', state: 'FAILED', node: 'n2', reason: null, code: 3, signal: null, cancelledBy: null } }]);
      src.sacctAnswer = () => ok('22|CANCELLED by 0|0:15|n1\n22.batch|CANCELLED|0:15|n1\n');
      await clock.step();
      assert.deepEqual(src.asked, ['squeue 21,22', 'sacct 22 since 2026-12-01T22:50:00.000Z']);
      assert.deepEqual(ends[1], { report: { jobId: '22', state: 'CANCELLED', node: 'n1', reason: null, code: 0, signal: 15, cancelledBy: '0' } });
    } finally {
      cleanup();
    }
  });

  it('says why when accounting is disabled instead of failing, and does not ask accounting again', async () => {
    const clock = new ManualClock();
    const src = new Script();
    const w = new SlurmWatcher(POLICY, src, clock);
    const ends: { lost?: string }[] = [];
    w.watch(job('31', ends));
    await clock.step();
    src.sacctAnswer = () => ({ code: 1, stdout: '', stderr: 'Slurm accounting storage is disabled\n', failure: null });
    await clock.step();
    assert.deepEqual(ends, [{ lost: 'Slurm no longer knows job 31: no exit record and Slurm accounting is disabled' }]);
    w.watch(job('32', ends));
    await clock.step();
    assert.deepEqual(src.asked, ['squeue 31', 'sacct 31 since 2026-12-01T22:50:00.000Z', 'squeue 32']);
    assert.equal(ends[1]!.lost, 'Slurm no longer knows job 32: no exit record and Slurm accounting is disabled');
  });

  it('keeps asking an unreachable controller for the grace period, then gives the jobs up as lost, naming the error', async () => {
    const clock = new ManualClock();
    const src = new Script();
    const w = new SlurmWatcher(POLICY, src, clock);
    const ends: { lost?: string }[] = [];
    w.watch(job('41', ends));
    src.squeueAnswer = () => down;
    while (ends.length === 0) await clock.step();
    assert.ok(clock.t >= 60_000 && clock.t < 72_000, `gave up at ${clock.t} ms`);
    assert.match(ends[0]!.lost!, /^no answer from the Slurm controller for 1 min \(Unable to contact slurm controller \(connect failure\)\); job 41 may still be running: see squeue$/);
    // An answer in time resets the count.
    const w2 = new SlurmWatcher(POLICY, src, clock);
    const ends2: unknown[] = [];
    w2.watch(job('42', ends2));
    src.squeueAnswer = () => down;
    for (let start = clock.t; clock.t - start < 50_000;) await clock.step();
    src.squeueAnswer = () => ok('42|RUNNING|n1|None|0\n');
    await clock.step();
    src.squeueAnswer = () => down;
    for (let start = clock.t; clock.t - start < 50_000;) await clock.step();
    assert.deepEqual(ends2, []);
  });

  it('takes the poll maximum and the grace period from MLOPS_SLURM_POLL_MAX and MLOPS_SLURM_GRACE', () => {
    assert.deepEqual(pollPolicy({}), { minMs: 250, maxMs: 10_000, graceMs: 600_000 });
    assert.deepEqual(pollPolicy({ MLOPS_SLURM_POLL_MAX: '30s', MLOPS_SLURM_GRACE: '2m' }), { minMs: 250, maxMs: 30_000, graceMs: 120_000 });
    assert.equal(nextInterval(9000, false, POLICY), 10_000);
    assert.equal(nextInterval(9000, true, POLICY), 250);
  });
});

describe('slurm: what the queue says', () => {
  it('reads squeue and sacct lines: states, nodes, wait statuses and exit codes, who cancelled', () => {
    assert.deepEqual(parseSqueue('7|FAILED|n1|NonZeroExitCode|768\n8|PENDING|(null)|Resources|0\n'), [
      { jobId: '7', state: 'FAILED', node: 'n1', reason: 'NonZeroExitCode', code: 3, signal: 0, cancelledBy: null },
      { jobId: '8', state: 'PENDING', node: null, reason: 'Resources', code: 0, signal: 0, cancelledBy: null },
    ]);
    assert.deepEqual(parseSacct('9|TIMEOUT|0:15|n2\n9.batch|CANCELLED|0:15|n2\n'), [{ jobId: '9', state: 'TIMEOUT', node: 'n2', reason: null, code: 0, signal: 15, cancelledBy: null }]);
  });

  it('words how a job ended, with the option that set the limit', () => {
    const ctx = { cancelledByUs: false, mem: '1024M', time: '2', timeoutText: '1m30s' };
    const r = (state: string, extra: Partial<ReturnType<typeof parseSqueue>[number]> = {}) => ({ jobId: '5', state, node: 'n1', reason: null, code: 0, signal: 0, cancelledBy: null, ...extra });
    assert.deepEqual(exitOf(r('COMPLETED'), ctx), { code: 0, signal: null, error: null });
    assert.deepEqual(exitOf(r('FAILED', { code: 3 }), ctx), { code: 3, signal: null, error: null });
    assert.equal(exitOf(r('OUT_OF_MEMORY'), ctx).error, 'killed by Slurm: out of memory (--mem=1024M)');
    assert.equal(exitOf(r('TIMEOUT'), ctx).error, 'killed by Slurm: time limit reached (--time=2, from timeout: 1m30s)');
    assert.equal(exitOf(r('NODE_FAIL'), ctx).error, 'killed by Slurm: node n1 failed');
    assert.equal(exitOf(r('CANCELLED'), { ...ctx, cancelledByUs: true }).signal, 'SIGTERM');
    assert.equal(exitOf(r('CANCELLED', { cancelledBy: '0' }), ctx).error, 'cancelled outside mlops by root (uid 0)');
    assert.equal(exitOf(r('CANCELLED'), ctx).error, 'cancelled outside mlops (scancel by a user or an administrator; Slurm says who only when accounting is enabled)');
  });
});

describe('slurm: a task as a job', () => {
  it('maps resources, timeout and workdir to sbatch options, rounding up, and never passes a dependency', () => {
    const task = {
      id: 'train',
      command: "python train.py --name 'a b'",
      workdir: '/ws/sub',
      env: { COLOR: 'blue' },
      resources: { cpu: 1.5, memory: 1.5 * 1024 ** 3 + 1, gpu: 2 },
      timeoutMs: 90_000,
      slurm: { partition: 'gpu', account: 'ml', qos: null, constraint: 'a100', nodes: 2, args: ['--mail-type=FAIL'] },
    } as unknown as PlannedTask;
    const j = jobRequest({ pipeline: 'churn', runId: 'r1', task, attempt: 2, log: '/ws/.mlops/runs/r1/train.log', runDir: '/ws/.mlops/runs/r1', env: { MLOPS_RUN_ID: 'r1', MLOPS_TASK: 'train' } });
    assert.deepEqual(j.argv, [
      '--parsable',
      '--job-name=mlops:churn:train',
      '--comment=mlops:r1:train:2',
      '--output=/ws/.mlops/runs/r1/train.log',
      '--error=/ws/.mlops/runs/r1/train.log',
      '--open-mode=append',
      '--chdir=/ws/sub',
      '--nodes=2',
      '--cpus-per-task=2',
      '--mem=1537M',
      '--gres=gpu:2',
      '--time=2',
      '--partition=gpu',
      '--account=ml',
      '--constraint=a100',
      '--mail-type=FAIL',
    ]);
    assert.equal(j.exitRecord, '/ws/.mlops/runs/r1/.slurm/train.2.exit');
    assert.match(j.script, /^#!\/bin\/bash\n/);
    assert.match(j.script, /\n {2}COLOR=blue \\\n {2}MLOPS_RUN_ID=r1 \\\n {2}MLOPS_TASK=train \\\n {2}bash -c 'python train.py --name '\\''a b'\\'''\n/);
  });
});
