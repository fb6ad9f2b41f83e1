import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { alive, finished, mlops, parseRun, project, readPid, removeProjects, spawnMlops, stopSpawned, task, waitFor } from './helpers';

/** Start and end times (ns) per task from a trace file tasks append `+ id t` / `- id t` lines to. */
function spans(file: string): Map<string, { start: bigint; end: bigint }> {
  const out = new Map<string, { start: bigint; end: bigint }>();
  for (const line of fs.readFileSync(file, 'utf8').trim().split('\n')) {
    const [mark, id, t] = line.split(' ') as [string, string, string];
    const s = out.get(id) ?? { start: 0n, end: 0n };
    if (mark === '+') s.start = BigInt(t);
    else s.end = BigInt(t);
    out.set(id, s);
  }
  return out;
}

const traced = (id: string, body = 'sleep 0.3') => `echo "+ ${id} $(date +%s%N)" >> trace; ${body}; echo "- ${id} $(date +%s%N)" >> trace`;

describe('mlops run (real processes)', function () {
  after(removeProjects);
  this.timeout(60_000);
  afterEach(stopSpawned);

  it('runs a diamond in dependency order, the two middle tasks side by side', async () => {
    const dir = project({
      'diamond.pipeline.yaml': `version: 1
name: diamond
tasks:
  a: {run: '${traced('a', 'true')}'}
  b: {needs: [a], run: '${traced('b')}'}
  c: {needs: [a], run: '${traced('c')}'}
  d: {needs: [b, c], run: '${traced('d', 'true')}'}
`,
    });
    const r = await mlops(['run', 'diamond.pipeline.yaml', '--parallel', '2', '--format', 'json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const run = parseRun(r.stdout);
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(
      run.tasks.map((t) => [t.id, t.status, t.attempts, t.exitCode, t.cached]),
      [
        ['a', 'succeeded', 1, 0, false],
        ['b', 'succeeded', 1, 0, false],
        ['c', 'succeeded', 1, 0, false],
        ['d', 'succeeded', 1, 0, false],
      ],
    );
    const s = spans(path.join(dir, 'trace'));
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => s.get(id)!);
    assert.ok(a!.end <= b!.start && a!.end <= c!.start, 'b and c start after a ends');
    assert.ok(b!.end <= d!.start && c!.end <= d!.start, 'd starts after b and c end');
    assert.ok(b!.start < c!.end && c!.start < b!.end, 'b and c overlap');
  });

  it('prints the documented JSON shape and one line per task when not on a terminal', async () => {
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: shape
params: {n: 3}
tasks:
  ok: {run: 'echo "$MLOPS_TASK $MLOPS_PARAM_N \${{ params.n }} $MLOPS_RUN_ID" > env.txt'}
  bad: {needs: [ok], run: 'echo broken; exit 3'}
`,
    });
    const text = await mlops(['run', 'p.pipeline.yaml'], dir);
    assert.equal(text.code, 1);
    const id = /run (\d{8}-\d{6}-[0-9a-f]{4})/.exec(text.stdout)![1]!;
    assert.match(text.stdout, /^✓ ok \d+\.\ds$/m);
    assert.match(text.stdout, new RegExp(`^✗ bad exit 3 \\(log: \\.mlops/runs/${id}/bad\\.log\\)$`, 'm'));
    assert.equal(fs.readFileSync(path.join(dir, 'env.txt'), 'utf8'), `ok 3 3 ${id}\n`);
    assert.equal(fs.readFileSync(path.join(dir, '.mlops', 'runs', id, 'bad.log'), 'utf8'), 'broken\n');
    assert.deepEqual(fs.readdirSync(path.join(dir, '.mlops', 'runs', id)), ['bad.log'], 'a task that prints nothing leaves no log, and no lane is left');
    assert.equal(fs.readFileSync(path.join(dir, '.mlops', '.gitignore'), 'utf8'), '*\n');

    const json = await mlops(['runs', 'show', 'last', '--format', 'json'], dir);
    const run = parseRun(json.stdout);
    assert.deepEqual(Object.keys(run), ['id', 'pipeline', 'status', 'startedAt', 'endedAt', 'params', 'tasks']);
    assert.deepEqual(Object.keys(run.tasks[0]!), ['id', 'status', 'attempts', 'exitCode', 'durationMs', 'cached', 'fingerprint']);
    assert.equal(run.id, id);
    assert.deepEqual(run.params, { n: 3 });
    assert.equal(task(run, 'bad').exitCode, 3);
    assert.match(task(run, 'ok').fingerprint!, /^[0-9a-f]{64}$/);
  });

  it('refuses a pipeline with errors and prints them as validate does', async () => {
    const dir = project({ 'p.pipeline.yaml': 'version: 1\nname: bad\ntasks:\n  a: {run: "true", needs: [nope]}\n' });
    const r = await mlops(['run', 'p.pipeline.yaml'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /p\.pipeline\.yaml:4:\d+: error unknown-need: /);
    assert.match(r.stderr, /mlops run: p\.pipeline\.yaml has 1 error; fix it before running/);
    assert.equal(fs.existsSync(path.join(dir, '.mlops', 'runs')), false);
  });

  it('stops launching after a failure, then --resume reruns only what did not succeed', async () => {
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: resume
tasks:
  a: {run: 'echo a >> ran', outputs: [a.txt]}
  b: {needs: [a], run: 'echo b >> ran; test -f fixed || { echo broken; exit 3; }'}
  c: {needs: [a], run: 'echo c >> ran'}
  d: {needs: [b, c], run: 'echo d >> ran'}
`,
    });
    fs.writeFileSync(path.join(dir, 'a.txt'), '');
    const first = await mlops(['run', 'p.pipeline.yaml', '--parallel', '1', '--format', 'json'], dir);
    assert.equal(first.code, 1);
    const r1 = parseRun(first.stdout);
    assert.equal(r1.status, 'failed');
    assert.deepEqual(
      r1.tasks.map((t) => t.status),
      ['succeeded', 'failed', 'skipped', 'skipped'],
    );
    assert.equal(task(r1, 'b').exitCode, 3);
    assert.equal(fs.readFileSync(path.join(dir, 'ran'), 'utf8'), 'a\nb\n');

    fs.writeFileSync(path.join(dir, 'fixed'), '');
    const second = await mlops(['run', 'p.pipeline.yaml', '--resume', 'last', '--parallel', '1', '--format', 'json'], dir);
    assert.equal(second.code, 0, second.stderr);
    const r2 = parseRun(second.stdout);
    assert.notEqual(r2.id, r1.id);
    assert.deepEqual(
      r2.tasks.map((t) => [t.id, t.status]),
      [
        ['a', 'cached'],
        ['b', 'succeeded'],
        ['c', 'succeeded'],
        ['d', 'succeeded'],
      ],
    );
    assert.equal(task(r2, 'a').fingerprint, task(r1, 'a').fingerprint);
    assert.equal(fs.readFileSync(path.join(dir, 'ran'), 'utf8'), 'a\nb\nb\nc\nd\n');
    const list = JSON.parse((await mlops(['runs', 'list', '--format', 'json'], dir)).stdout) as { id: string; resumedFrom: string | null }[];
    assert.deepEqual(
      list.map((r) => [r.id, r.resumedFrom]),
      [
        [r2.id, r1.id],
        [r1.id, null],
      ],
    );
  });

  it('retries with backoff, waiting longer before each attempt, and appends every attempt to the log', async () => {
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: retry
tasks:
  flaky:
    run: 'echo "$(date +%s%N)" >> starts; n=$(( $(cat count 2>/dev/null || echo 0) + 1 )); echo $n > count; echo "try $n"; date +%s%N >> ends; [ $n -ge 3 ]'
    retries: {limit: 2, backoff: 300ms, factor: 2}
  hopeless:
    needs: [flaky]
    run: 'echo nope; exit 7'
    retries: 1
`,
    });
    const r = await mlops(['run', 'p.pipeline.yaml', '--format', 'json'], dir);
    const run = parseRun(r.stdout);
    assert.equal(r.code, 1);
    assert.deepEqual([task(run, 'flaky').status, task(run, 'flaky').attempts, task(run, 'flaky').exitCode], ['succeeded', 3, 0]);
    assert.deepEqual([task(run, 'hopeless').status, task(run, 'hopeless').attempts, task(run, 'hopeless').exitCode], ['failed', 2, 7]);
    const log = fs.readFileSync(path.join(dir, '.mlops', 'runs', run.id, 'flaky.log'), 'utf8');
    assert.equal(log, 'try 1\n\n--- mlops: attempt 2 of 3 ---\ntry 2\n\n--- mlops: attempt 3 of 3 ---\ntry 3\n');
    // The waits, as the attempts saw them: from one attempt's end to the next one's start at
    // least the backoff (300 ms), then backoff × factor (600 ms), less a few ms of clock
    // rounding. A busy machine can only make them longer.
    const times = (f: string) =>
      fs
        .readFileSync(path.join(dir, f), 'utf8')
        .trim()
        .split('\n')
        .map((t) => Number(BigInt(t) / 1_000_000n));
    const [starts, ends] = [times('starts'), times('ends')];
    assert.equal(starts.length, 3);
    const waits = [starts[1]! - ends[0]!, starts[2]! - ends[1]!];
    assert.ok(waits[0]! >= 295 && waits[1]! >= 595, `waited ${waits.join(' and ')} ms between attempts`);
  });

  it('kills the whole process tree of a task that times out', async () => {
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: slow
tasks:
  slow: {run: 'sleep 300 & echo $! > child.pid; wait', timeout: 1s}
`,
    });
    const r = await mlops(['run', 'p.pipeline.yaml'], dir, { MLOPS_KILL_GRACE_MS: '2000' });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /✗ slow timed out after 1\.0s/);
    // Cut short: it ran at least its timeout, and ended long before its 300 s sleep would have.
    const slow = task(parseRun((await mlops(['runs', 'show', 'last', '--format', 'json'], dir)).stdout), 'slow');
    assert.equal(slow.status, 'failed');
    assert.ok(slow.durationMs !== null && slow.durationMs >= 1000 && slow.durationMs < 300_000, `ran ${slow.durationMs} ms`);
    const child = readPid(path.join(dir, 'child.pid'))!;
    await waitFor(`the timed-out task's child ${child} to be gone`, () => !alive(child));
  });

  it('leaves nothing behind: what a task leaves running is stopped, with SIGKILL for what ignores SIGTERM', async () => {
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: litter
tasks:
  litter: {run: "bash -c 'trap \\"\\" TERM; sleep 1000' & echo $! > left.pid"}
`,
    });
    const r = await mlops(['run', 'p.pipeline.yaml'], dir, { MLOPS_KILL_GRACE_MS: '300' });
    assert.equal(r.code, 0, r.stderr);
    const left = readPid(path.join(dir, 'left.pid'))!;
    // mlops run sent it SIGKILL before exiting; only init's reaping of it may still be pending.
    await waitFor(`the leftover ${left} to be gone`, () => !alive(left));
  });

  it('cancels on Ctrl-C: every process tree is killed, grandchildren included, and the run is recorded cancelled', async () => {
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: cancel
tasks:
  tree: {run: "bash -c 'sleep 1000 & echo $! > grandchild.pid; wait' & echo $! > child.pid; wait"}
  other: {run: 'sleep 1000'}
  after: {needs: [tree], run: 'true'}
`,
    });
    const agent = spawnMlops(['run', 'p.pipeline.yaml', '--parallel', '2'], dir);
    const done = finished(agent);
    const grandchild = await waitFor('the grandchild to start', () => readPid(path.join(dir, 'grandchild.pid')));
    const child = readPid(path.join(dir, 'child.pid'))!;
    agent.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 130, r.stderr);
    await waitFor(`grandchild ${grandchild} and child ${child} to be gone`, () => !alive(grandchild) && !alive(child));
    const run = parseRun((await mlops(['runs', 'show', 'last', '--format', 'json'], dir)).stdout);
    assert.equal(run.status, 'cancelled');
    assert.deepEqual(
      run.tasks.map((t) => [t.id, t.status]),
      [
        ['tree', 'cancelled'],
        ['other', 'cancelled'],
        ['after', 'cancelled'],
      ],
    );
  });

  it('reuses unchanged tasks and reruns them after an input or a used param changes', async () => {
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: cache
params: {scale: 2, note: {type: string, default: x, description: not used by any task}}
tasks:
  prep:
    run: 'mkdir -p out && cat data/in.txt data/in.txt > out/prep.txt && echo prep >> ran'
    inputs: [data/in.txt]
    outputs: [out/prep.txt]
  calc:
    run: 'echo $(( $(wc -c < out/prep.txt) * \${{ params.scale }} )) > out/calc.txt && echo calc >> ran'
    inputs: [out/prep.txt]
    outputs: [out/calc.txt]
`,
      'data/in.txt': 'abc\n',
    });
    const run = async (...args: string[]) => {
      fs.rmSync(path.join(dir, 'ran'), { force: true });
      const r = await mlops(['run', 'p.pipeline.yaml', '--format', 'json', ...args], dir);
      assert.equal(r.code, 0, r.stderr);
      const ran = fs.existsSync(path.join(dir, 'ran')) ? fs.readFileSync(path.join(dir, 'ran'), 'utf8').trim().split('\n') : [];
      return { statuses: parseRun(r.stdout).tasks.map((t) => t.status), ran };
    };
    assert.deepEqual(await run(), { statuses: ['succeeded', 'succeeded'], ran: ['prep', 'calc'] });
    assert.equal(fs.readFileSync(path.join(dir, 'out/calc.txt'), 'utf8'), '16\n');
    assert.deepEqual(await run(), { statuses: ['cached', 'cached'], ran: [] });
    assert.deepEqual(await run('--param', 'note=changed'), { statuses: ['cached', 'cached'], ran: [] }, 'an unused param does not matter');

    fs.writeFileSync(path.join(dir, 'data/in.txt'), 'abcdef\n');
    assert.deepEqual(await run(), { statuses: ['succeeded', 'succeeded'], ran: ['prep', 'calc'] }, 'an input changed');
    assert.equal(fs.readFileSync(path.join(dir, 'out/calc.txt'), 'utf8'), '28\n');

    assert.deepEqual(await run('--param', 'scale=3'), { statuses: ['cached', 'succeeded'], ran: ['calc'] }, 'a used param changed');
    assert.equal(fs.readFileSync(path.join(dir, 'out/calc.txt'), 'utf8'), '42\n');

    fs.rmSync(path.join(dir, 'out/calc.txt'));
    assert.deepEqual(await run('--param', 'scale=3'), { statuses: ['cached', 'succeeded'], ran: ['calc'] }, 'an output is missing');
    assert.deepEqual(await run('--param', 'scale=3', '--force'), { statuses: ['succeeded', 'succeeded'], ran: ['prep', 'calc'] });
  });

  it('never runs more tasks at once than --parallel allows', async () => {
    const tasks = ['t1', 't2', 't3', 't4', 't5', 't6'].map((id) => `  ${id}: {run: '${traced(id, 'sleep 0.2')}'}`).join('\n');
    const dir = project({ 'p.pipeline.yaml': `version: 1\nname: wide\ntasks:\n${tasks}\n` });
    for (const parallel of [2, 3]) {
      fs.rmSync(path.join(dir, 'trace'), { force: true });
      const r = await mlops(['run', 'p.pipeline.yaml', '--parallel', String(parallel), '--force'], dir);
      assert.equal(r.code, 0, r.stderr);
      const points = [...spans(path.join(dir, 'trace')).values()].flatMap((s) => [
        [s.start, 1],
        [s.end, -1],
      ]) as [bigint, number][];
      points.sort((x, y) => (x[0] === y[0] ? x[1] - y[1] : x[0] < y[0] ? -1 : 1));
      let now = 0;
      let most = 0;
      for (const [, delta] of points) most = Math.max(most, (now += delta));
      assert.equal(most, parallel);
    }
  });

  it('fails a task at once when its resources can never fit this machine', async () => {
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: huge
tasks:
  huge: {run: 'true', resources: {cpu: "4096", memory: 64Ti, gpu: 8}}
  small: {run: 'true'}
`,
    });
    const r = await mlops(['run', 'p.pipeline.yaml', '--parallel', '1'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /✗ huge Task 'huge' requests cpu 4096, memory 64Ti, gpu 8 but this machine has cpu \d+, memory [\d.]+Gi, gpu 0; lower its resources/);
    assert.match(r.stdout, /- small skipped/);
  });

  it('survives SIGKILL of the agent: the next start marks the run interrupted, kills what it left, and --resume finishes it', async () => {
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: crash
tasks:
  a: {run: 'echo a >> ran'}
  b: {needs: [a], run: 'echo b >> ran; echo said-b; if [ ! -f go ]; then sleep 1000 & echo $! > sleeper.pid; wait; fi'}
  c: {needs: [b], run: 'echo c >> ran'}
`,
    });
    const agent = spawnMlops(['run', 'p.pipeline.yaml'], dir);
    let out = '';
    agent.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => agent.once('close', (_code, signal) => resolve(signal)));
    // a's success is on record once it has been reported; b is running.
    const sleeper = await waitFor('a to be reported and b to start its sleeper', () => /^✓ a /m.test(out) && readPid(path.join(dir, 'sleeper.pid')));
    // b's start (with its log) is committed a commit window after it began: kill only once it is on record.
    await waitFor("b's start to be on record", async () => {
      const shown = await mlops(['runs', 'show', 'last', '--format', 'json'], dir);
      return shown.code === 0 && parseRun(shown.stdout).tasks.find((t) => t.id === 'b')?.status === 'running';
    });
    agent.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    assert.ok(alive(sleeper), 'nobody has cleaned up yet');

    const shown = await mlops(['runs', 'show', 'last', '--format', 'json'], dir);
    const r1 = parseRun(shown.stdout);
    assert.equal(r1.status, 'interrupted');
    assert.deepEqual(
      r1.tasks.map((t) => [t.id, t.status]),
      [
        ['a', 'succeeded'],
        ['b', 'interrupted'],
        ['c', 'interrupted'],
      ],
    );
    await waitFor(`the left-behind sleeper ${sleeper} to be killed`, () => !alive(sleeper));
    assert.deepEqual(fs.readdirSync(path.join(dir, '.mlops', 'runs', r1.id)), ['b.log'], 'what b wrote is kept as its log');
    assert.equal(fs.readFileSync(path.join(dir, '.mlops', 'runs', r1.id, 'b.log'), 'utf8'), 'said-b\n');

    fs.writeFileSync(path.join(dir, 'go'), '');
    const resumed = await mlops(['run', 'p.pipeline.yaml', '--resume', r1.id, '--format', 'json'], dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(
      parseRun(resumed.stdout).tasks.map((t) => [t.id, t.status]),
      [
        ['a', 'cached'],
        ['b', 'succeeded'],
        ['c', 'succeeded'],
      ],
    );
    assert.equal(fs.readFileSync(path.join(dir, 'ran'), 'utf8'), 'a\nb\nb\nc\n');
  });

  it('prints and follows task logs', async () => {
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: logs
tasks:
  talk: {run: 'echo one; while [ ! -f release ]; do sleep 0.05; done; echo two >&2'}
`,
    });
    const agent = spawnMlops(['run', 'p.pipeline.yaml'], dir);
    const done = finished(agent);
    const runId = await waitFor('the run to start', () => fs.readdirSync(path.join(dir, '.mlops', 'runs'))[0]);
    const follower = spawnMlops(['runs', 'logs', runId, 'talk', '--follow'], dir);
    let seen = '';
    follower.stdout!.setEncoding('utf8').on('data', (d: string) => (seen += d));
    const followed = new Promise<number | null>((resolve) => follower.once('close', resolve));
    await waitFor('the first line to be followed', () => seen === 'one\n');
    fs.writeFileSync(path.join(dir, 'release'), '');
    assert.equal(await followed, 0);
    assert.equal(seen, 'one\ntwo\n');
    assert.equal((await done).code, 0);
    assert.equal((await mlops(['runs', 'logs', 'last', 'talk'], dir)).stdout, 'one\ntwo\n');
  });
});
