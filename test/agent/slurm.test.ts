import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { finished, mlops, project, removeProjects, spawnMlops, stopSpawned, waitFor } from './helpers';
import { dropDatabases, freshDatabase, requirePostgres, sql } from '../store/pg';
import { clusterReady, clusterReport, CLUSTER_LOCK, commandLog, queueLine, holdCluster, controllerUp, jobsNamed, liveJobsOf, runJson, showJob, startCluster, statusQueries, stopController } from './slurm-cluster';

/**
 * A diamond whose tasks write the job and node they ran in: a → (b, c) → d. b and c ask for a
 * node each, so both nodes are used even when a job left by another run holds one of them.
 */
const DIAMOND = `version: 1
name: diamond
defaults:
  resources: {cpu: "1", memory: 100Mi}
tasks:
  a:
    run: mkdir -p out && echo "$SLURM_JOB_ID $SLURMD_NODENAME $MLOPS_TASK" > out/a.txt
    outputs: [out/a.txt]
  b:
    run: sleep 3 && echo "$SLURM_JOB_ID $SLURMD_NODENAME $MLOPS_TASK" > out/b.txt
    inputs: [out/a.txt]
    outputs: [out/b.txt]
    slurm: {args: [--nodelist=n1]}
  c:
    run: sleep 3 && echo "$SLURM_JOB_ID $SLURMD_NODENAME $MLOPS_TASK" > out/c.txt
    inputs: [out/a.txt]
    outputs: [out/c.txt]
    slurm: {args: [--nodelist=n2]}
  d:
    run: echo "$SLURM_JOB_ID $SLURMD_NODENAME $MLOPS_TASK" > out/d.txt
    inputs: [out/b.txt, out/c.txt]
    outputs: [out/d.txt]
`;

/**
 * Against the real two-node cluster of scripts/slurm-up.sh (nodes n1 and n2). CI sets
 * MLOPS_REQUIRE_SLURM=1, and then a missing cluster fails the suite; elsewhere these tests
 * are skipped, saying why.
 */
describe('slurm executor (real two-node cluster)', function () {
  this.timeout(120_000);
  let log: Awaited<ReturnType<typeof commandLog>>;
  let release: (() => Promise<void>) | undefined;
  after(async () => {
    removeProjects();
    log?.cleanup();
    await dropDatabases();
    await release?.();
  });
  afterEach(function () {
    stopSpawned();
    // What the cluster looked like when a test failed, for a failure on a machine no one can look at.
    if (this.currentTest?.state === 'failed') console.log(clusterReport());
  });

  before(async function () {
    // One test run at a time on the machine's one cluster: this file takes a few minutes.
    const wait = 40 * 60_000;
    this.timeout(wait + 120_000);
    log = await commandLog();
    release = await holdCluster(wait, () => console.log(`      (waiting for the Slurm test cluster: another test run holds ${CLUSTER_LOCK})`));
    // Checked once the cluster is ours; a node that is re-registering after a controller restart gets a minute.
    const problem = await clusterReady();
    if (problem) {
      await release();
      release = undefined;
      const message = `${problem}; run scripts/slurm-up.sh`;
      if (process.env.MLOPS_REQUIRE_SLURM === '1') throw new Error(`MLOPS_REQUIRE_SLURM=1 but ${message}`);
      console.log(`      (skipping the Slurm executor tests: ${message})`);
      this.skip();
    }
  });

  const sbatches = (since: number) => log.calls().filter((c) => c.at >= since && c.command === 'sbatch');

  it('runs a diamond as one job per task on both nodes, records job and node, watches all jobs with one query per poll; a rerun submits nothing', async () => {
    const dir = project({ 'p.pipeline.yaml': DIAMOND });
    const t0 = Date.now();
    const r = await mlops(['run', 'p.pipeline.yaml', '--executor', 'slurm', '--format', 'json'], dir, log.env);
    assert.equal(r.code, 0, r.stderr);
    const run = runJson(r.stdout);
    assert.equal(run.status, 'succeeded');
    const wrote = (id: string) =>
      fs
        .readFileSync(path.join(dir, 'out', `${id}.txt`), 'utf8')
        .trim()
        .split(' ');
    for (const t of run.tasks) {
      const [jobId, node, name] = wrote(t.id);
      assert.deepEqual([t.status, t.attempts, t.executor, t.jobId, t.node, name], ['succeeded', 1, 'slurm', jobId, node, t.id], `task ${t.id}`);
    }
    assert.equal(new Set(run.tasks.map((t) => t.jobId)).size, 4, 'every task is a job of its own');
    assert.deepEqual(new Set(run.tasks.map((t) => t.node)), new Set(['n1', 'n2']), 'b and c ran one on each node');
    assert.equal(sbatches(t0).length, 4);
    assert.equal(log.calls().filter((c) => c.at >= t0 && c.args.includes('--dependency')).length, 0, 'the agent orders jobs itself');
    // One status query per poll for every job in flight: while b and c ran, a single squeue asked about both.
    const queries = statusQueries(log.calls().filter((c) => c.at >= t0));
    const [b, c] = [run.tasks[1]!.jobId!, run.tasks[2]!.jobId!];
    assert.ok(
      queries.some((q) => q.command === 'squeue' && new RegExp(`--jobs=(\\S*,)?${b}(,\\S*)?\\b`).test(q.args) && new RegExp(`--jobs=(\\S*,)?${c}\\b`).test(q.args)),
      `no squeue asked about jobs ${b} and ${c} together: ${queries.map((q) => q.args).join(' / ')}`,
    );
    for (let i = 1; i < queries.length; i++) {
      assert.ok(queries[i]!.at - queries[i - 1]!.at >= 240, `two status queries ${queries[i]!.at - queries[i - 1]!.at} ms apart: one poll asks once`);
    }
    // Unchanged: every task is cached and nothing reaches the cluster.
    const t1 = Date.now();
    const again = await mlops(['run', 'p.pipeline.yaml', '--executor', 'slurm', '--format', 'json'], dir, log.env);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(
      runJson(again.stdout).tasks.map((t) => t.status),
      ['cached', 'cached', 'cached', 'cached'],
    );
    assert.equal(sbatches(t1).length, 0);
  });

  it('records jobs and nodes in the PostgreSQL team store as in SQLite, and a SIGKILLed agent’s run is taken over there too', async function () {
    await requirePostgres(this);
    const url = await freshDatabase();
    const dir = project({ 'p.pipeline.yaml': DIAMOND.replaceAll('sleep 3', 'sleep 6') });
    const env = { MLOPS_STORE: url };
    const child = spawnMlops(['run', 'p.pipeline.yaml', '--executor', 'slurm'], dir, env);
    const runId = await waitFor(
      'b and c submitted',
      async () => {
        const s = await mlops(['runs', 'show', 'last', '--format', 'json'], dir, env);
        const run = s.code === 0 ? runJson(s.stdout) : undefined;
        return run && run.tasks[1]!.jobId && run.tasks[2]!.jobId ? run.id : undefined;
      },
      60_000,
      200,
    );
    child.kill('SIGKILL');
    await finished(child);
    const run = await waitFor(
      'the reattached run to end',
      async () => {
        const s = runJson((await mlops(['runs', 'show', runId, '--format', 'json'], dir, env)).stdout);
        return s.status !== 'running' ? s : undefined;
      },
      90_000,
      500,
    );
    assert.equal(run.status, 'succeeded');
    assert.ok(run.reattachedAt);
    const rows = await sql(url, `SELECT task, attempt, status, executor, job_id, node FROM attempts WHERE run_id = $1 ORDER BY task`, [runId]);
    assert.deepEqual(
      rows.map((r) => [r.task, r.attempt, r.status, r.executor, r.node !== null]),
      [
        ['a', 1, 'succeeded', 'slurm', true],
        ['b', 1, 'succeeded', 'slurm', true],
        ['c', 1, 'succeeded', 'slurm', true],
        ['d', 1, 'succeeded', 'slurm', true],
      ],
    );
    assert.deepEqual(
      rows.map((r) => r.job_id),
      run.tasks.map((t) => t.jobId),
    );
  });

  it('maps cpu, memory, timeout and workdir to the job, exports env and params, and names it mlops:PIPELINE:TASK with the run id in its comment', async () => {
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: mapped
params: {lr: 0.5}
defaults: {executor: slurm}
tasks:
  fit:
    run: echo "$COLOR $MLOPS_PARAM_LR $MLOPS_RUN_ID $(pwd)" > ../out.txt
    workdir: sub
    env: {COLOR: blue}
    resources: {cpu: "500m", memory: 300Mi}
    timeout: 90s
    slurm: {partition: main, nodes: 1, args: [--nice=10]}
`,
      'sub/.keep': '',
    });
    const r = await mlops(['run', 'p.pipeline.yaml', '--format', 'json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const run = runJson(r.stdout);
    const job = showJob(run.tasks[0]!.jobId!);
    assert.deepEqual(
      [job.JobName, job.Comment, job.NumCPUs, job.MinMemoryNode, job.TimeLimit, job.WorkDir, job.StdOut, job.Partition, job.Nice, job.JobState],
      ['mlops:mapped:fit', `mlops:${run.id}:fit:1`, '1', '300M', '00:02:00', path.join(dir, 'sub'), path.join(dir, '.mlops', 'runs', run.id, 'fit.log'), 'main', '10', 'COMPLETED'],
    );
    assert.equal(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8'), `blue 0.5 ${run.id} ${path.join(dir, 'sub')}\n`);
  });

  it('fails a task whose job fails, then --resume resubmits only it and what depends on it', async () => {
    const dir = project({
      'p.pipeline.yaml': DIAMOND.replace('run: sleep 3 && echo "$SLURM_JOB_ID $SLURMD_NODENAME $MLOPS_TASK" > out/b.txt', 'run: test -f fixed || exit 3; echo "$SLURM_JOB_ID $SLURMD_NODENAME $MLOPS_TASK" > out/b.txt'),
    });
    const first = await mlops(['run', 'p.pipeline.yaml', '--executor', 'slurm', '--format', 'json'], dir, log.env);
    assert.equal(first.code, 1, first.stderr);
    const failed = runJson(first.stdout);
    assert.deepEqual(
      failed.tasks.map((t) => [t.id, t.status, t.exitCode]),
      [
        ['a', 'succeeded', 0],
        ['b', 'failed', 3],
        ['c', 'succeeded', 0],
        ['d', 'skipped', null],
      ],
    );
    fs.writeFileSync(path.join(dir, 'fixed'), '');
    const t0 = Date.now();
    const resumed = await mlops(['run', 'p.pipeline.yaml', '--executor', 'slurm', '--resume', 'last', '--format', 'json'], dir, log.env);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(
      runJson(resumed.stdout).tasks.map((t) => [t.id, t.status]),
      [
        ['a', 'cached'],
        ['b', 'succeeded'],
        ['c', 'cached'],
        ['d', 'succeeded'],
      ],
    );
    assert.deepEqual(
      sbatches(t0).map((c) => /--job-name=(\S+)/.exec(c.args)![1]),
      ['mlops:diamond:b', 'mlops:diamond:d'],
    );
  });

  it('refuses at once, with Slurm’s words, a job the cluster will not take: an unknown partition, a GPU it does not have', async () => {
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: refused
defaults: {executor: slurm}
tasks:
  wrong-partition: {run: 'true', slurm: {partition: nope}}
  gpu: {run: 'true', resources: {gpu: 1}}
`,
    });
    const t0 = Date.now();
    const r = await mlops(['run', 'p.pipeline.yaml', '--keep-going', '--format', 'json'], dir, log.env);
    assert.equal(r.code, 1, r.stderr);
    // At once: one sbatch per task, not retried as a controller outage would be.
    assert.deepEqual(
      sbatches(t0)
        .map((c) => /--job-name=(\S+)/.exec(c.args)![1])
        .sort(),
      ['mlops:refused:gpu', 'mlops:refused:wrong-partition'],
    );
    assert.deepEqual(
      runJson(r.stdout).tasks.map((t) => [t.id, t.status, t.jobId]),
      [
        ['wrong-partition', 'failed', undefined],
        ['gpu', 'failed', undefined],
      ],
    );
    const text = await mlops(['run', 'p.pipeline.yaml', '--keep-going'], dir);
    assert.match(text.stdout, /^✗ wrong-partition Slurm refused the job: invalid partition specified: nope; Batch job submission failed: Invalid partition name specified$/m);
    assert.match(text.stdout, /^✗ gpu Slurm refused the job: Invalid generic resource \(gres\) specification$/m);
  });

  it('waits for a controller that answers DOWN at the start (a restart) and runs; one that stays down fails the run before any job, saying so', async () => {
    // A scontrol that answers as a stopped controller does for its first `downFor` pings, then is the real one.
    const real = execFileSync('sh', ['-c', 'command -v scontrol'], { encoding: 'utf8' }).trim();
    const fake = (downFor: number) => {
      const bin = project({});
      fs.writeFileSync(
        path.join(bin, 'scontrol'),
        `#!/bin/sh\nif [ "$1" = ping ]; then echo ping >> '${bin}/pings'; n=$(wc -l < '${bin}/pings'); if [ "$n" -le ${downFor} ]; then echo 'Slurmctld(primary) at vm is DOWN'; exit 1; fi; fi\nexec '${real}' "$@"\n`,
      );
      fs.chmodSync(path.join(bin, 'scontrol'), 0o755);
      return { env: { ...log.env, PATH: `${bin}:${log.env.PATH ?? ''}` }, pings: () => fs.readFileSync(path.join(bin, 'pings'), 'utf8').trim().split('\n').length };
    };
    const pipeline = { 'p.pipeline.yaml': `version: 1\nname: restarting\ndefaults: {executor: slurm}\ntasks:\n  only: {run: echo up > up.txt, outputs: [up.txt]}\n` };
    const restarting = fake(2);
    const dir = project(pipeline);
    const r = await mlops(['run', 'p.pipeline.yaml', '--format', 'json'], dir, restarting.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(restarting.pings(), 3, 'two DOWN answers, then UP');
    assert.equal(fs.readFileSync(path.join(dir, 'up.txt'), 'utf8'), 'up\n');

    // Down for good: the window is the grace period when that is shorter (5 s here), and nothing is submitted.
    const stopped = fake(1000);
    const t0 = Date.now();
    const d = await mlops(['run', 'p.pipeline.yaml'], project(pipeline), { ...stopped.env, MLOPS_SLURM_GRACE: '5s' });
    assert.equal(d.code, 2, d.stdout);
    assert.match(
      d.stderr,
      /^mlops run: Cannot reach the Slurm controller \(Slurmctld\(primary\) at vm is DOWN, still after [1-9]\.\ds\); start it, check SLURM_CONF or \/etc\/slurm\/slurm\.conf, or run with --executor local\.$/m,
    );
    assert.ok(stopped.pings() >= 2 && stopped.pings() <= 3, `asked 2 or 3 times in 5 s, not ${stopped.pings()}`);
    assert.deepEqual(sbatches(t0), []);
  });

  it('registers the model of a task that ran on Slurm', async () => {
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: modelled
defaults: {executor: slurm}
tasks:
  train:
    run: mkdir -p models && echo '{"w":1}' > models/m.json
    outputs: [models/m.json]
    model: {name: tiny, path: models/m.json, framework: custom}
`,
    });
    const r = await mlops(['run', 'p.pipeline.yaml'], dir);
    assert.equal(r.code, 0, r.stderr);
    const shown = await waitFor('model tiny version 1 registered', async () => {
      const m = await mlops(['models', 'show', 'tiny', '--format', 'json'], dir);
      return m.code === 0 ? (JSON.parse(m.stdout) as { name: string; version: number }) : undefined;
    });
    assert.deepEqual([shown.name, shown.version], ['tiny', 1]);
  });

  it('cancels on Ctrl-C: every job of the run is cancelled, none is left in the queue, the run is recorded cancelled', async () => {
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: cancelled
defaults: {executor: slurm}
tasks:
  one: {run: sleep 300}
  two: {run: sleep 300}
`,
    });
    const child = spawnMlops(['run', 'p.pipeline.yaml', '--format', 'json'], dir);
    const done = finished(child);
    const runId = await waitFor(
      'both jobs running',
      async () => {
        const s = await mlops(['runs', 'show', 'last', '--format', 'json'], dir);
        const run = s.code === 0 ? runJson(s.stdout) : undefined;
        return run && run.tasks.every((t) => t.node) ? run.id : undefined;
      },
      60_000,
      200,
    );
    assert.equal(liveJobsOf(runId).length, 2);
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 130, r.stderr);
    assert.deepEqual(
      runJson(r.stdout).tasks.map((t) => t.status),
      ['cancelled', 'cancelled'],
    );
    assert.equal(runJson(r.stdout).status, 'cancelled');
    assert.deepEqual(liveJobsOf(runId), []);
  });

  it('fails a task that outlives its timeout as Slurm ends it: TIMEOUT, with the limit in the message', async function () {
    this.timeout(240_000);
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: slow
defaults: {executor: slurm}
tasks:
  slow: {run: sleep 600, timeout: 30s}
`,
    });
    const r = await mlops(['run', 'p.pipeline.yaml'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /✗ slow killed by Slurm: time limit reached \(--time=1, from timeout: 30s\)/);
    const shown = runJson((await mlops(['runs', 'show', 'last', '--format', 'json'], dir)).stdout);
    assert.equal(showJob(shown.tasks[0]!.jobId!).JobState, 'TIMEOUT');
  });

  it('survives SIGKILL of the agent: its jobs run on, the next command reattaches, records them, submits the rest, and the run succeeds with no job submitted twice', async () => {
    const dir = project({ 'p.pipeline.yaml': DIAMOND.replaceAll('sleep 3', 'sleep 8') });
    const child = spawnMlops(['run', 'p.pipeline.yaml', '--executor', 'slurm'], dir);
    const runId = await waitFor(
      'b and c submitted',
      async () => {
        const s = await mlops(['runs', 'show', 'last', '--format', 'json'], dir);
        const run = s.code === 0 ? runJson(s.stdout) : undefined;
        return run && run.tasks[1]!.jobId && run.tasks[2]!.jobId ? run.id : undefined;
      },
      60_000,
      200,
    );
    child.kill('SIGKILL');
    await finished(child);
    assert.equal(liveJobsOf(runId).length, 2, 'the jobs outlive the agent');
    // The next command finds the run's agent gone and its jobs in flight: it starts an agent that takes the run over.
    const shown = await mlops(['runs', 'show', runId], dir);
    assert.match(shown.stdout, /reattached .*: its agent stopped while its Slurm jobs ran; another agent took the run over/);
    const run = await waitFor(
      'the reattached run to end',
      async () => {
        const s = runJson((await mlops(['runs', 'show', runId, '--format', 'json'], dir)).stdout);
        return s.status !== 'running' ? s : undefined;
      },
      90_000,
      500,
    );
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(
      run.tasks.map((t) => [t.id, t.status, t.attempts]),
      [
        ['a', 'succeeded', 1],
        ['b', 'succeeded', 1],
        ['c', 'succeeded', 1],
        ['d', 'succeeded', 1],
      ],
    );
    assert.ok(run.reattachedAt);
    for (const t of ['a', 'b', 'c', 'd']) {
      const jobs = jobsNamed(`mlops:diamond:${t}`).filter((j) => j.comment.startsWith(`mlops:${runId}:`));
      assert.deepEqual(
        jobs.map((j) => [j.comment, j.state]),
        [[`mlops:${runId}:${t}:1`, 'COMPLETED']],
        `one job for task ${t}`,
      );
    }
  });

  it('finds by its name and comment a job whose id the agent never recorded (killed while sbatch answered), and submits nothing twice', async () => {
    // An sbatch whose answer comes late: the controller has the job before the agent hears of it.
    const slow = project({});
    fs.writeFileSync(path.join(slow, 'sbatch'), `#!/bin/sh\nout=$(${execFileSync('sh', ['-c', 'command -v sbatch'], { encoding: 'utf8' }).trim()} "$@")\nstatus=$?\nsleep 10\necho "$out"\nexit $status\n`);
    fs.chmodSync(path.join(slow, 'sbatch'), 0o755);
    // A name of its own: the controller still lists the jobs of earlier runs of this test.
    const name = `late-answer-${process.pid}-${Date.now() % 100000}`;
    const dir = project({ 'p.pipeline.yaml': `version: 1\nname: ${name}\ndefaults: {executor: slurm}\ntasks:\n  only: {run: sleep 3 && echo done > done.txt, outputs: [done.txt]}\n` });
    const child = spawnMlops(['run', 'p.pipeline.yaml'], dir, { PATH: `${slow}:${process.env.PATH ?? ''}` });
    await waitFor('the job to reach the controller', () => jobsNamed(`mlops:${name}:only`).length > 0, 60_000, 200);
    const before = runJson((await mlops(['runs', 'show', 'last', '--format', 'json'], dir)).stdout);
    assert.equal(before.tasks[0]!.jobId, undefined, 'the job id is not on record yet');
    child.kill('SIGKILL');
    await finished(child);
    const run = await waitFor(
      'the reattached run to end',
      async () => {
        const s = runJson((await mlops(['runs', 'show', before.id, '--format', 'json'], dir)).stdout);
        return s.status !== 'running' ? s : undefined;
      },
      90_000,
      500,
    );
    assert.deepEqual([run.status, run.tasks[0]!.status, run.tasks[0]!.attempts], ['succeeded', 'succeeded', 1]);
    const jobs = jobsNamed(`mlops:${name}:only`).filter((j) => j.comment.startsWith(`mlops:${before.id}:`));
    assert.deepEqual(
      jobs.map((j) => [j.id, j.comment]),
      [[run.tasks[0]!.jobId, `mlops:${before.id}:only:1`]],
    );
  });

  it('keeps going when the controller stops for a minute mid-run and starts again: the run succeeds', async function () {
    this.timeout(360_000);
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: outage
defaults: {executor: slurm}
tasks:
  first: {run: sleep 5 && echo one > one.txt, outputs: [one.txt]}
  second: {run: cat one.txt > two.txt, inputs: [one.txt], outputs: [two.txt]}
`,
    });
    const child = spawnMlops(['run', 'p.pipeline.yaml', '--format', 'json'], dir, log.env);
    const done = finished(child);
    let ended: Awaited<typeof done> | undefined;
    void done.then((r) => (ended = r));
    try {
      // A busy machine may keep the job queued a while; what the run and the queue said is in the message.
      let seen = 'no run recorded yet';
      const started = await waitFor(
        () => `first to run on a node (last seen: ${seen})`,
        async () => {
          if (ended) return { ended };
          const s = await mlops(['runs', 'show', 'last', '--format', 'json'], dir);
          if (s.code !== 0) {
            seen = `runs show exited ${s.code}: ${s.stderr.trim()}`;
            return undefined;
          }
          const run = runJson(s.stdout);
          const first = run.tasks[0]!;
          seen = `run ${run.status}, first ${first.status}, job ${first.jobId ?? 'not yet submitted'}${first.jobId ? `, squeue: ${queueLine(first.jobId)}` : ''}`;
          return first.node ? { node: first.node } : undefined;
        },
        120_000,
        200,
      );
      if (started.ended) assert.fail(`the run ended before its first task ran (exit ${started.ended.code}): ${started.ended.stderr.trim()}`);
      const down = Date.now();
      stopController();
      await waitFor('the controller to be down', () => !controllerUp(), 30_000, 500);
      // first ends while nobody answers; the agent keeps asking.
      await waitFor('a minute without a controller', () => Date.now() - down >= 60_000, 70_000, 1000);
      const during = statusQueries(log.calls().filter((c) => c.at > down));
      assert.ok(during.length >= 2, `the agent kept asking during the outage (${during.length} queries)`);
    } finally {
      startCluster();
    }
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    const run = runJson(r.stdout);
    assert.deepEqual(
      run.tasks.map((t) => [t.id, t.status, t.attempts]),
      [
        ['first', 'succeeded', 1],
        ['second', 'succeeded', 1],
      ],
    );
    assert.equal(fs.readFileSync(path.join(dir, 'two.txt'), 'utf8'), 'one\n');
  });
});
