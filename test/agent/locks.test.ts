import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { finished, mlops, parseRun, project, removeProjects, spawnMlops, stopSpawned, waitFor } from './helpers';
import { RawAgent } from './raw-rpc';

/** A pipeline whose one task appends to `out.txt`, then waits for a `release` file. */
const HELD = `version: 1
name: held
tasks:
  write:
    run: 'echo "$MLOPS_RUN_ID start" >> out.txt; while [ ! -f release ]; do sleep 0.05; done; echo "$MLOPS_RUN_ID end" >> out.txt; rm -f release'
    cache: false
`;

/** Starts a run that holds the pipeline until `release` appears; resolves once its task is running. */
async function holder(dir: string) {
  const child = spawnMlops(['run', 'p.pipeline.yaml', '--format', 'json'], dir);
  const done = finished(child);
  const line = await waitFor('the first run to start its task', () => (fs.existsSync(path.join(dir, 'out.txt')) ? fs.readFileSync(path.join(dir, 'out.txt'), 'utf8') : ''));
  return { child, done, runId: line.split(' ')[0]! };
}

describe('one run per pipeline at a time (real processes)', function () {
  this.timeout(60_000);
  after(removeProjects);
  afterEach(stopSpawned);

  it('refuses a second run with exit 75 naming the run that holds the pipeline, and records nothing for it', async () => {
    const dir = project({ 'p.pipeline.yaml': HELD });
    const first = await holder(dir);
    const second = await mlops(['run', 'p.pipeline.yaml'], dir);
    assert.equal(second.code, 75);
    assert.match(
      second.stderr,
      new RegExp(
        `^mlops run: held is already running as run ${first.runId} \\(pid ${first.child.pid}, since [0-9T:.-]+Z\\); two runs would write the same outputs\\. Wait for it to end or cancel it; mlops run --wait queues this run\\.\\n$`,
      ),
    );
    fs.writeFileSync(path.join(dir, 'release'), '');
    const r = await first.done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8'), `${first.runId} start\n${first.runId} end\n`);
    const list = JSON.parse((await mlops(['runs', 'list', '--format', 'json'], dir)).stdout) as { id: string }[];
    assert.deepEqual(
      list.map((x) => x.id),
      [first.runId],
      'the refused run left no record',
    );
    // Free again once the first ended.
    fs.writeFileSync(path.join(dir, 'release'), '');
    assert.equal((await mlops(['run', 'p.pipeline.yaml'], dir)).code, 0);
  });

  it('--wait queues the second run until the first ends; Ctrl-C stops waiting with nothing run', async () => {
    const dir = project({ 'p.pipeline.yaml': HELD });
    const first = await holder(dir);
    const waiter = spawnMlops(['run', 'p.pipeline.yaml', '--wait', '--format', 'json'], dir);
    const waited = finished(waiter);
    let err = '';
    waiter.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await waitFor('the second run to say it waits', () => err.includes(`mlops run: waiting for run ${first.runId} to end before starting (Ctrl-C stops waiting)`));
    const quitter = spawnMlops(['run', 'p.pipeline.yaml', '--wait'], dir);
    const quit = finished(quitter);
    let quitErr = '';
    quitter.stderr!.on('data', (d: Buffer) => (quitErr += d.toString()));
    await waitFor('the third run to wait', () => quitErr.includes('waiting for run'));
    quitter.kill('SIGINT');
    const q = await quit;
    assert.equal(q.code, 130);
    assert.match(q.stderr, /mlops run: stopped waiting; nothing ran\.\n$/);
    assert.equal(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8'), `${first.runId} start\n`, 'nothing else started meanwhile');
    fs.writeFileSync(path.join(dir, 'release'), '');
    assert.equal((await first.done).code, 0);
    // The waiter now runs; release it too.
    await waitFor('the queued run to start', () => fs.readFileSync(path.join(dir, 'out.txt'), 'utf8').split('\n').length === 4);
    fs.writeFileSync(path.join(dir, 'release'), '');
    const w = await waited;
    assert.equal(w.code, 0, w.stderr);
    const second = parseRun(w.stdout).id;
    assert.equal(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8'), `${first.runId} start\n${first.runId} end\n${second} start\n${second} end\n`);
  });

  it('takes over the hold of a run whose agent was killed with SIGKILL', async () => {
    const dir = project({ 'p.pipeline.yaml': HELD });
    const first = await holder(dir);
    first.child.kill('SIGKILL');
    await first.done;
    const next = spawnMlops(['run', 'p.pipeline.yaml', '--format', 'json'], dir);
    const nextDone = finished(next);
    // Its task starts (the first one's was stopped by recovery), then is let go.
    await waitFor('the next run to start its task', () => fs.readFileSync(path.join(dir, 'out.txt'), 'utf8').split('\n').length === 3);
    fs.writeFileSync(path.join(dir, 'release'), '');
    const r = await nextDone;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8'), `${first.runId} start\n${parseRun(r.stdout).id} start\n${parseRun(r.stdout).id} end\n`);
    const shown = JSON.parse((await mlops(['runs', 'list', '--format', 'json'], dir)).stdout) as { id: string; status: string }[];
    assert.deepEqual(
      shown.map((x) => [x.id, x.status]),
      [
        [parseRun(r.stdout).id, 'succeeded'],
        [first.runId, 'interrupted'],
      ],
    );
  });

  it('refuses over the agent protocol too, with the message the editor shows', async () => {
    const dir = project({ 'p.pipeline.yaml': HELD });
    const first = await holder(dir);
    const agent = new RawAgent(dir);
    try {
      agent.send({ jsonrpc: '2.0', id: 1, method: 'mlops/run.start', params: { file: 'p.pipeline.yaml' } });
      const r = await agent.reply(1);
      const result = r.result as { ok: boolean; message: string; problems: unknown[] };
      assert.equal(result.ok, false);
      assert.match(result.message, new RegExp(`^held is already running as run ${first.runId} \\(pid ${first.child.pid}, since `));
      assert.deepEqual(result.problems, []);
    } finally {
      agent.close();
      fs.writeFileSync(path.join(dir, 'release'), '');
      await first.done;
    }
  });
});
