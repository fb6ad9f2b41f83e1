// The extension's AgentClient against the real bundled agent (dist/agent.js) as a process:
// the churn example runs over JSON-RPC with its events, a killed agent comes back after the
// backoff, an agent that cannot start is given up on, and dispose leaves no process behind.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunEvent } from '../../core/src/protocol/agent';
import { AgentClient, AgentUnavailableError, type AgentLog, type AgentState } from '../../client/src/agent/agent-client';
import { agentLaunch } from '../../client/src/agent/launch';
import { finishMessage, telltaleTask } from '../../client/src/runs/format';
import { RunsModel } from '../../client/src/runs/run-model';
import { alive, node } from '../agent/helpers';
import { tempDir, writeTree } from '../files';
import { waitFor } from '../wait';

const repoRoot = path.resolve(__dirname, '../../..');
const script = path.join(repoRoot, 'dist', 'agent.js');

function recordingLog(): AgentLog & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (l) => lines.push(`info ${l}`), warn: (l) => lines.push(`warn ${l}`), error: (l) => lines.push(`error ${l}`) };
}

function churnCopy(): string {
  const { dir } = tempDir('mlops-client-agent-');
  fs.cpSync(path.join(repoRoot, 'examples', 'churn'), dir, { recursive: true, filter: (src) => !/[\\/]\.mlops$|[\\/](data|models|reports)[\\/]/.test(src) });
  fs.rmSync(path.join(dir, '.mlops'), { recursive: true, force: true });
  return dir;
}

describe('client: AgentClient with the real agent process', function () {
  this.timeout(120_000);
  const clients: AgentClient[] = [];
  const dirs: string[] = [];

  before(function () {
    if (!fs.existsSync(script)) throw new Error(`${script} is missing; run npm run build first.`);
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });

  after(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  /** A fresh folder holding `files`, removed after the block. */
  function folderWith(files: Record<string, string>): string {
    const { dir } = tempDir('mlops-client-agent-');
    dirs.push(dir);
    writeTree(dir, files);
    return dir;
  }

  function client(folder: string, log = recordingLog(), fast = false): AgentClient {
    const c = new AgentClient({
      launch: agentLaunch({ script, folder, execPath: node }),
      log,
      ...(fast ? { backoff: { initialMs: 50, factor: 2, maxMs: 400, healthyMs: 60_000, maxAttempts: 3 } } : {}),
    });
    clients.push(c);
    return c;
  }

  it('runs examples/churn over JSON-RPC: five tasks succeed, events arrive in order, logs read back', async () => {
    const folder = churnCopy();
    dirs.push(folder);
    const log = recordingLog();
    const c = client(folder, log);
    const model = new RunsModel();
    const events: RunEvent[] = [];
    c.onRunEvent((e) => {
      events.push(e);
      model.apply(folder, e);
    });
    const started = await c.startRun({ file: 'churn.pipeline.yaml' });
    assert.ok(started.ok, JSON.stringify(started));
    assert.equal(c.info?.stateDir, path.join(folder, '.mlops'));
    assert.ok(c.activeRuns.has(started.runId));
    await waitFor('the run to finish', () => events.some((e) => e.type === 'run-finished'), 90_000);

    const run = model.find(started.runId, folder)!;
    assert.equal(run.status, 'succeeded', log.lines.join('\n'));
    assert.deepEqual(
      run.tasks!.map((t) => [t.id, t.status]),
      ['ingest', 'featurize', 'train', 'evaluate', 'report'].map((t) => [t, 'succeeded']),
    );
    assert.equal(events[0]!.type, 'run-started');
    assert.equal(c.activeRuns.size, 0);

    const listed = await c.listRuns({ limit: 5 });
    assert.deepEqual(
      listed.runs.map((r) => [r.id, r.status, r.trigger]),
      [[started.runId, 'succeeded', 'rpc']],
    );
    const logText = await c.readLog({ runId: started.runId, task: 'train' });
    assert.ok(logText.ok && /auc/i.test(logText.text), `train's log: ${JSON.stringify(logText)}`);
    assert.ok(
      log.lines.some((l) => /MLOps agent .* is running in /.test(l)),
      log.lines.join('\n'),
    );
  });

  it('a failing task: the run fails, the message names the task and why, and its log is there', async () => {
    const folder = folderWith({
      'bad.pipeline.yaml': 'version: 1\nname: bad\ntasks:\n  prep:\n    run: echo ready\n  fit:\n    needs: [prep]\n    run: echo boom >&2; exit 4\n  publish:\n    needs: [fit]\n    run: echo never\n',
    });
    const c = client(folder);
    const model = new RunsModel();
    c.onRunEvent((e) => model.apply(folder, e));
    const r = await c.startRun({ file: 'bad.pipeline.yaml' });
    assert.ok(r.ok, JSON.stringify(r));
    const run = await waitFor(
      'the run to end',
      () => {
        const x = model.find(r.runId, folder);
        return x && x.status !== 'running' && x;
      },
      20_000,
    );
    assert.equal(run.status, 'failed');
    assert.deepEqual(
      run.tasks!.map((t) => [t.id, t.status]),
      [
        ['prep', 'succeeded'],
        ['fit', 'failed'],
        ['publish', 'skipped'],
      ],
    );
    const message = finishMessage(run, Date.now());
    assert.match(message, /^bad failed: task 'fit' failed — .*4/);
    assert.doesNotMatch(message, /\.\.$/);
    assert.equal(telltaleTask(run)?.id, 'fit');
    const log = await c.readLog({ runId: r.runId, task: 'fit' });
    assert.ok(log.ok && /boom/.test(log.text), JSON.stringify(log));
  });

  it('cancelling over RPC ends the run as cancelled and stops its task', async () => {
    const folder = folderWith({ 'slow.pipeline.yaml': 'version: 1\nname: slow\ntasks:\n  wait:\n    run: sleep 30\n' });
    const c = client(folder);
    const model = new RunsModel();
    const events: RunEvent[] = [];
    c.onRunEvent((e) => {
      events.push(e);
      model.apply(folder, e);
    });
    const r = await c.startRun({ file: 'slow.pipeline.yaml' });
    assert.ok(r.ok, JSON.stringify(r));
    const started = await waitFor('the task to start', () => events.find((e): e is RunEvent & { type: 'task-started' } => e.type === 'task-started'), 20_000);
    assert.deepEqual(await c.cancelRun(r.runId), { cancelled: true });
    const run = await waitFor(
      'the run to end',
      () => {
        const x = model.find(r.runId, folder);
        return x && x.status !== 'running' && x;
      },
      10_000,
    );
    assert.equal(run.status, 'cancelled');
    assert.equal(finishMessage(run, Date.now()), 'slow was cancelled; 0 of 1 task had finished.');
    if (started.pid) await waitFor("the task's process to be gone", () => !alive(started.pid!));
    assert.deepEqual(await c.cancelRun(r.runId), { cancelled: false });
  });

  it('starts a killed agent again after the backoff and answers from the new process', async () => {
    const folder = churnCopy();
    dirs.push(folder);
    const log = recordingLog();
    const c = client(folder, log, true);
    const states: AgentState[] = [];
    c.onDidChangeState((s) => states.push(s));
    const first = (await c.listRuns({})) && c.info!.pid;
    let restarted = 0;
    c.onDidStart(() => restarted++);
    process.kill(first, 'SIGKILL');
    await waitFor('the agent to come back with a new pid', () => c.state === 'running' && c.info && c.info.pid !== first, 20_000);
    assert.equal(restarted, 1);
    assert.deepEqual(states, ['starting', 'running', 'restarting', 'starting', 'running']);
    assert.ok(
      log.lines.some((l) => /^warn The MLOps agent was killed by SIGKILL after/.test(l)),
      log.lines.join('\n'),
    );
    assert.ok(!alive(first));
    assert.deepEqual((await c.listRuns({})).runs, []);
  });

  it('gives up on an agent that exits right after it starts, and says why; waits longer before each restart', async () => {
    const folder = folderWith({ 'broken-agent.js': "process.stderr.write('mlops agent: this build is broken\\n'); process.exit(3);\n" });
    const broken = path.join(folder, 'broken-agent.js');
    const log = recordingLog();
    const c = new AgentClient({
      launch: agentLaunch({ script: broken, folder, execPath: node }),
      log,
      backoff: { initialMs: 20, factor: 2, maxMs: 100, healthyMs: 60_000, maxAttempts: 3 },
    });
    clients.push(c);
    const changes: { state: AgentState; at: number }[] = [];
    c.onDidChangeState((state) => changes.push({ state, at: performance.now() }));
    await assert.rejects(c.listRuns({}), (err: Error) => {
      assert.ok(err instanceof AgentUnavailableError);
      assert.match(err.message, /exited with code 3 3 times in a row right after starting/);
      assert.match(err.message, /this build is broken/);
      return true;
    });
    assert.equal(c.state, 'failed');
    assert.equal(log.lines.filter((l) => /^info Restarting the MLOps agent in/.test(l)).length, 3);
    // The waits as they happened, from each crash to the next start: at least 20, 40 and 80 ms
    // (less a millisecond of timer rounding); a busy machine can only make them longer.
    const waits = changes.flatMap((ch, i) => (ch.state === 'restarting' && changes[i + 1]?.state === 'starting' ? [changes[i + 1]!.at - ch.at] : []));
    assert.equal(waits.length, 3, JSON.stringify(changes.map((ch) => ch.state)));
    assert.ok(waits[0]! >= 19 && waits[1]! >= 39 && waits[2]! >= 79, `waited ${waits.map((w) => w.toFixed(0)).join(', ')} ms`);
  });

  it('dispose stops the agent (cancelling a run it is running) and leaves no process', async () => {
    const folder = folderWith({ 'slow.pipeline.yaml': 'version: 1\nname: slow\ntasks:\n  wait:\n    run: sleep 30\n' });
    const log = recordingLog();
    const c = client(folder, log);
    const events: RunEvent[] = [];
    c.onRunEvent((e) => events.push(e));
    const r = await c.startRun({ file: 'slow.pipeline.yaml' });
    assert.ok(r.ok, JSON.stringify(r));
    const started = await waitFor('the task to start', () => events.find((e): e is RunEvent & { type: 'task-started' } => e.type === 'task-started'), 20_000);
    const pid = c.info!.pid;
    await c.dispose();
    // The agent stopped on SIGTERM, cancelling the 30 s task, rather than waiting for it and being killed.
    assert.deepEqual(
      log.lines.filter((l) => /did not stop within/.test(l)),
      [],
    );
    assert.equal(c.state, 'disposed');
    assert.ok(!alive(pid), 'the agent is still running');
    if (started.pid) await waitFor("the task's process to be gone", () => !alive(started.pid!));
    await assert.rejects(c.listRuns({}), AgentUnavailableError);
  });
});
