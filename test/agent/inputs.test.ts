import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { RunEvent } from '../../core/src/protocol/agent';
import * as rpc from '../../core/src/node';
import { mkfifo, sparseFile, symlink } from '../hostile';
import { connectAgent, finished, mlopsWithin, parseRun, project, removeProjects, spawnMlops, stopSpawned, task, waitFor } from './helpers';

/** Task `a` reads the folder `data`; `b` runs after it; `c` does not depend on it. */
const PIPELINE = `version: 1
name: p
tasks:
  a: {run: 'true', inputs: [data]}
  b: {run: 'true', needs: [a]}
  c: {run: 'true'}
`;

/** Task `a` reads one (huge) file. */
const HUGE = `version: 1
name: huge
tasks:
  a: {run: 'true', inputs: [data/huge.bin]}
`;

/** Far more than can be hashed before a test's deadline: a sparse file costs nothing to make. */
const HUGE_BYTES = 500e9;

function projectWith(make: (dir: string) => void): string {
  const dir = project({ 'p.pipeline.yaml': PIPELINE, 'data/ok.csv': 'a\n' });
  make(path.join(dir, 'data'));
  return dir;
}

const FIX = 'fix or remove it, or list only what the task reads.';

describe('inputs that cannot be hashed', function () {
  this.timeout(60_000);
  after(removeProjects);
  afterEach(stopSpawned);

  const cases: [string, (data: string) => void, (data: string) => string][] = [
    ['a dangling symbolic link', (d) => symlink('nowhere', path.join(d, 'gone')), (d) => `Input ${d}/gone is a symbolic link to nothing; ${FIX}`],
    ['a loop of symbolic links', (d) => (symlink('l2', path.join(d, 'l1')), symlink('l1', path.join(d, 'l2'))), (d) => `Input ${d}/l1 is a loop of symbolic links; ${FIX}`],
    ['a link to a folder that contains it', (d) => symlink('..', path.join(d, 'up')), (d) => `Input ${d}/up is a symbolic link to a folder that contains it (a loop); ${FIX}`],
    ['a FIFO', (d) => mkfifo(path.join(d, 'pipe')), (d) => `Input ${d}/pipe is a FIFO, not a regular file or folder; ${FIX}`],
  ];

  for (const [what, make, message] of cases) {
    it(`${what} inside an input folder fails that task with the path and reason; the run ends failed (CLI)`, async () => {
      const dir = projectWith(make);
      const r = await mlopsWithin(['run', 'p.pipeline.yaml', '--keep-going', '--format', 'json'], dir);
      assert.equal(r.code, 1, r.stderr);
      const run = parseRun(r.stdout);
      assert.equal(run.status, 'failed');
      assert.deepEqual([task(run, 'a').status, task(run, 'b').status, task(run, 'c').status], ['failed', 'skipped', 'succeeded']);
      const shown = await mlopsWithin(['runs', 'show', 'last'], dir);
      assert.ok(shown.stdout.includes('failed'), shown.stdout);
      const text = await mlopsWithin(['run', 'p.pipeline.yaml'], dir);
      assert.equal(text.code, 1);
      assert.ok(text.stdout.includes(`✗ a ${message(path.join(dir, 'data'))}`), text.stdout);
    });
  }

  it('a dangling link in an input folder ends the run failed over the agent protocol too', async () => {
    const dir = projectWith(cases[0]![1]);
    const { conn, events, ended } = connectAgent(dir);
    const started = await conn.sendRequest(rpc.RunStartRequest, { file: 'p.pipeline.yaml' });
    assert.ok(started.ok);
    assert.equal((await ended(started.runId)).status, 'failed');
    const finishedA = events.find((e) => e.type === 'task-finished' && e.task === 'a') as Extract<RunEvent, { type: 'task-finished' }>;
    assert.deepEqual([finishedA.status, finishedA.message], ['failed', cases[0]![2](path.join(dir, 'data'))]);
    const shown = await conn.sendRequest(rpc.RunsShowRequest, { runId: started.runId });
    assert.ok(shown.ok);
    assert.equal(shown.run.status, 'failed');
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} during hashing of a huge input ends the run promptly, cancelled`, async () => {
      const dir = project({ 'p.pipeline.yaml': HUGE });
      sparseFile(path.join(dir, 'data/huge.bin'), HUGE_BYTES);
      const child = spawnMlops(['run', 'p.pipeline.yaml'], dir);
      const result = finished(child);
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      // Progress is reported as soon as a large file starts.
      await waitFor('hashing to start', () => out.includes('… a hashing data/huge.bin: 0 B of 500 GB'));
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const r = await result;
      clearTimeout(timer);
      assert.notEqual(r.signal, 'SIGKILL', `the run did not end within 15 s of ${signal}`);
      assert.equal(r.code, 130, r.stderr);
      const shown = await mlopsWithin(['runs', 'show', 'last', '--format', 'json'], dir);
      const run = parseRun(shown.stdout);
      assert.deepEqual([run.status, task(run, 'a').status], ['cancelled', 'cancelled']);
    });
  }

  it('the agent answers while it hashes a huge input, reports progress, and a cancel ends the run', async () => {
    const dir = project({ 'p.pipeline.yaml': HUGE });
    sparseFile(path.join(dir, 'data/huge.bin'), HUGE_BYTES);
    const { conn, events, ended } = connectAgent(dir);
    const started = await conn.sendRequest(rpc.RunStartRequest, { file: 'p.pipeline.yaml' });
    assert.ok(started.ok);
    const first = await waitFor('a progress event', () => events.find((e) => e.type === 'task-progress') as Extract<RunEvent, { type: 'task-progress' }> | undefined);
    assert.deepEqual([first.task, first.stage, first.path, first.totalBytes], ['a', 'hashing', path.join(dir, 'data/huge.bin'), HUGE_BYTES]);
    // Requests are answered between slices of hashing.
    for (let i = 0; i < 3; i++) {
      const info = await conn.sendRequest(rpc.AgentInfoRequest, {});
      assert.equal(info.root, dir);
    }
    const later = await waitFor('progress past the start', () => events.find((e) => e.type === 'task-progress' && e.doneBytes > 0) as Extract<RunEvent, { type: 'task-progress' }> | undefined);
    assert.ok(later.doneBytes < HUGE_BYTES);
    assert.deepEqual(await conn.sendRequest(rpc.RunCancelRequest, { runId: started.runId }), { cancelled: true });
    assert.equal((await ended(started.runId, 15_000)).status, 'cancelled');
    const shown = await conn.sendRequest(rpc.RunsShowRequest, { runId: started.runId });
    assert.ok(shown.ok);
    assert.deepEqual(
      shown.run.tasks.map((t) => [t.id, t.status]),
      [['a', 'cancelled']],
    );
    assert.equal((await conn.sendRequest(rpc.AgentInfoRequest, {})).root, dir, 'the agent still serves');
  });
});
