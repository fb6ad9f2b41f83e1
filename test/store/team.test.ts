/**
 * The team store with real agent processes: two working copies of one project, each with
 * its own `mlops`, recording into one PostgreSQL database at once.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { finished, mlops, project, removeProjects, spawnMlops, stopSpawned, waitFor, type Result } from '../agent/helpers';
import { dropDatabases, freshDatabase, requirePostgres, sql } from './pg';

const PIPELINE = `version: 1
name: team
tasks:
  prepare:
    run: mkdir -p data && echo rows > data/rows.txt
    outputs: [data/rows.txt]
  train:
    run: mkdir -p models && cat data/rows.txt > models/m.json
    inputs: [data/rows.txt]
    outputs: [models/m.json]
    model: {name: churn, path: models/m.json, framework: custom}
  again:
    run: mkdir -p models && cat data/rows.txt > models/m2.json
    inputs: [data/rows.txt]
    outputs: [models/m2.json]
    model: {name: churn, path: models/m2.json, framework: custom}
  more:
    run: mkdir -p models && cat data/rows.txt > models/m3.json
    inputs: [data/rows.txt]
    outputs: [models/m3.json]
    model: {name: churn, path: models/m3.json, framework: custom}
`;

/** A working copy of the project (a git repository, as users have) with its own state folder. */
function workingCopy(files: Record<string, string> = { 'team.pipeline.yaml': PIPELINE }): string {
  const dir = project(files);
  fs.mkdirSync(path.join(dir, '.git'));
  return dir;
}

function ok(r: Result, what: string): Result {
  assert.equal(r.code, 0, `${what} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

describe('team store (PostgreSQL, real agent processes)', function () {
  this.timeout(120_000);
  let url: string;
  let shared: string;
  let env: (user: string) => NodeJS.ProcessEnv;

  before(async function () {
    await requirePostgres(this);
    url = await freshDatabase();
    shared = project({});
    env = (user) => ({ MLOPS_STORE: url, MLOPS_ARTIFACTS: shared, MLOPS_USER: user, MLOPS_HOST: `${user}-laptop` });
  });
  afterEach(stopSpawned);
  after(async () => {
    removeProjects();
    await dropDatabases();
  });

  it('a store that cannot be reached stops a command at once, naming the host (exit 2)', async () => {
    const dir = workingCopy();
    const r = await mlops(['runs', 'list', '--store', 'postgresql://postgres@127.0.0.1:1/nowhere'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^mlops runs: cannot reach the PostgreSQL store at 127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED.*Start the server, or point --store \(or MLOPS_STORE\) at a running one\.\n$/);
    const bad = await mlops(['runs', 'list', '--store', 'mysql://x'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--store takes a postgresql:\/\/USER@HOST:PORT\/DATABASE URL/);
  });

  it('two agents in two working copies run at once: distinct run ids, consecutive model versions, both users recorded', async () => {
    const a = workingCopy();
    const b = workingCopy();
    // Two runs of one pipeline in one working copy take turns (--wait); the two copies run side by side.
    const runs = await Promise.all([
      finished(spawnMlops(['run', 'team.pipeline.yaml', '--format', 'json', '--wait'], a, env('ana'))),
      finished(spawnMlops(['run', 'team.pipeline.yaml', '--format', 'json', '--wait'], b, env('bo'))),
      finished(spawnMlops(['run', 'team.pipeline.yaml', '--format', 'json', '--force', '--wait'], a, env('ana'))),
      finished(spawnMlops(['run', 'team.pipeline.yaml', '--format', 'json', '--force', '--wait'], b, env('bo'))),
    ]);
    const ids = runs.map((r) => (JSON.parse(ok(r, 'mlops run').stdout) as { id: string }).id);
    assert.equal(new Set(ids).size, 4, `run ids ${ids.join(', ')}`);

    const listed = JSON.parse(ok(await mlops(['runs', 'list', '--format', 'json'], a, env('ana')), 'runs list').stdout) as { id: string; user: string; host: string }[];
    assert.deepEqual(listed.map((r) => r.id).sort(), [...ids].sort());
    assert.deepEqual([...new Set(listed.map((r) => `${r.user}@${r.host}`))].sort(), ['ana@ana-laptop', 'bo@bo-laptop']);
    const mine = JSON.parse(ok(await mlops(['runs', 'list', '--mine', '--format', 'json'], b, env('bo')), 'runs list --mine').stdout) as { user: string }[];
    assert.deepEqual(
      mine.map((r) => r.user),
      ['bo', 'bo'],
    );

    // Every run that trained registered three versions (a cached task registers none).
    const models = await sql(url, `SELECT version, user_name FROM model_versions WHERE name = 'churn' ORDER BY version`);
    const n = models.length;
    assert.ok(n >= 6, `${n} versions`);
    assert.deepEqual(
      models.map((m) => Number(m.version)),
      Array.from({ length: n }, (_, i) => i + 1),
    );
    assert.deepEqual([...new Set(models.map((m) => m.user_name))].sort(), ['ana', 'bo']);
    const shown = JSON.parse(ok(await mlops(['models', 'show', 'churn:1', '--format', 'json'], a, env('ana')), 'models show').stdout) as { registeredBy: { user: string; host: string } };
    assert.match(`${shown.registeredBy.user}@${shown.registeredBy.host}`, /^(ana@ana-laptop|bo@bo-laptop)$/);
    // The logs went to the shared artifact folder.
    assert.ok(fs.existsSync(path.join(shared, 'runs', ids[0]!)), 'the run folder is in the artifact folder');
  });

  it('moving an alias from two agents at once leaves it on exactly one version, each move seeing the one before', async () => {
    const a = workingCopy();
    const moves = await Promise.all(Array.from({ length: 6 }, (_, i) => finished(spawnMlops(['models', 'alias', 'churn', String((i % 2) + 1), 'champion'], a, env(i % 2 ? 'bo' : 'ana')))));
    for (const m of moves) ok(m, 'models alias');
    const holders = await sql(url, `SELECT version FROM model_aliases WHERE name = 'churn' AND alias = 'champion'`);
    assert.equal(holders.length, 1);
    const moved = moves.filter((m) => /moved from version \d/.test(m.stdout)).length;
    const first = moves.filter((m) => !/moved from/.test(m.stdout)).length;
    // Exactly one move found no alias or the same version; the others each name the version before.
    assert.ok(first >= 1 && moved + first === 6, moves.map((m) => m.stdout).join(''));
  });

  it('resumes in one working copy a run that failed in another, when the files are the same', async () => {
    const files = {
      'r.pipeline.yaml': `version: 1
name: resumable
tasks:
  first: {run: 'echo one > one.txt', outputs: [one.txt]}
  second: {needs: [first], run: 'test -f ok.flag && cat one.txt > two.txt', outputs: [two.txt]}
`,
    };
    const a = workingCopy(files);
    const failed = await mlops(['run', 'r.pipeline.yaml', '--format', 'json'], a, env('ana'));
    assert.equal(failed.code, 1);
    const runId = (JSON.parse(failed.stdout) as { id: string }).id;
    const b = workingCopy({ ...files, 'one.txt': 'one\n', 'ok.flag': '' });
    const resumed = JSON.parse(ok(await mlops(['run', 'r.pipeline.yaml', '--resume', runId, '--format', 'json'], b, env('bo')), 'resume').stdout) as {
      status: string;
      tasks: { id: string; status: string }[];
    };
    assert.equal(resumed.status, 'succeeded');
    assert.deepEqual(
      resumed.tasks.map((t) => [t.id, t.status]),
      [
        ['first', 'cached'],
        ['second', 'succeeded'],
      ],
    );
    const other = workingCopy({ 'x.pipeline.yaml': files['r.pipeline.yaml'] });
    const refused = await mlops(['run', 'x.pipeline.yaml', '--resume', runId], other, env('bo'));
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /Run \S+ ran r\.pipeline\.yaml, not x\.pipeline\.yaml\./);
  });

  it('copies a local history into the team store once: a second migrate copies nothing', async () => {
    const dir = workingCopy();
    const local = { MLOPS_USER: 'cy', MLOPS_HOST: 'cy-box' };
    const run = JSON.parse(ok(await mlops(['run', 'team.pipeline.yaml', '--format', 'json'], dir, local), 'local run').stdout) as { id: string };
    ok(await mlops(['models', 'alias', 'churn', '2', 'staging'], dir, local), 'local alias');
    const before = await sql(url, `SELECT count(*)::int AS n FROM model_versions WHERE name = 'churn'`);
    const teamVersions = Number(before[0]!.n);

    const migrate = () => mlops(['store', 'migrate', '--from', '.mlops', '--to', url, '--artifacts', shared, '--format', 'json'], dir, local);
    const first = JSON.parse(ok(await migrate(), 'first migrate').stdout) as { runs: { copied: number; present: number }; modelVersions: { copied: number; present: number }; files: number };
    assert.deepEqual(first.runs, { copied: 1, present: 0 });
    assert.deepEqual(first.modelVersions, { copied: 3, present: 0 });
    assert.ok(first.files >= 3, `${first.files} files`);
    const info = async () => JSON.parse(ok(await mlops(['store', 'info', '--format', 'json'], dir, { ...local, MLOPS_STORE: url }), 'store info').stdout) as { kind: string; counts: Record<string, number> };
    const afterFirst = await info();
    assert.equal(afterFirst.kind, 'postgres');

    const second = JSON.parse(ok(await migrate(), 'second migrate').stdout) as typeof first;
    assert.deepEqual(second.runs, { copied: 0, present: 1 });
    assert.deepEqual(second.modelVersions, { copied: 0, present: 3 });
    assert.equal(second.files, 0);
    assert.deepEqual((await info()).counts, afterFirst.counts);

    // The copied run, its log and its versions are the team's now, numbered after the team's own.
    const shown = JSON.parse(ok(await mlops(['runs', 'show', run.id, '--format', 'json'], dir, { ...local, MLOPS_STORE: url }), 'runs show').stdout) as { id: string; status: string };
    assert.deepEqual([shown.id, shown.status], [run.id, 'succeeded']);
    const versions = await sql(url, `SELECT version, user_name, host FROM model_versions WHERE name = 'churn' AND user_name = 'cy' ORDER BY version`);
    assert.deepEqual(
      versions.map((v) => [Number(v.version), v.host]),
      [
        [teamVersions + 1, 'cy-box'],
        [teamVersions + 2, 'cy-box'],
        [teamVersions + 3, 'cy-box'],
      ],
    );
    const staging = await sql(url, `SELECT version FROM model_aliases WHERE name = 'churn' AND alias = 'staging'`);
    assert.deepEqual(
      staging.map((r) => Number(r.version)),
      [teamVersions + 2],
    );
  });

  it('restores a cache: shared task from another working copy instead of running it', async () => {
    const files = {
      's.pipeline.yaml': `version: 1
name: shared
tasks:
  build:
    run: mkdir -p out/parts && echo ran >> ran.log && cat in.txt in.txt > out/data.txt && echo part > out/parts/p1.txt
    inputs: [in.txt]
    outputs: [out/data.txt, out/parts]
    cache: shared
  use:
    run: cat out/data.txt out/parts/p1.txt > used.txt
    inputs: [out/data.txt]
    outputs: [used.txt]
`,
      'in.txt': 'hello\n',
    };
    const a = workingCopy(files);
    const first = JSON.parse(ok(await mlops(['run', 's.pipeline.yaml', '--format', 'json'], a, env('ana')), 'first run').stdout) as { id: string; tasks: { id: string; status: string }[] };
    assert.deepEqual(
      first.tasks.map((t) => t.status),
      ['succeeded', 'succeeded'],
    );
    const uploaded = await sql(url, `SELECT task, run_id, user_name FROM shared_cache WHERE task IN ('build', 'use')`);
    assert.deepEqual(uploaded, [{ task: 'build', run_id: first.id, user_name: 'ana' }], 'only the cache: shared task is uploaded');

    const b = workingCopy(files);
    const second = ok(await mlops(['run', 's.pipeline.yaml'], b, env('bo')), 'second run');
    assert.match(second.stdout, new RegExp(`^○ build cached \\(restored from run ${first.id} by ana@ana-laptop\\)$`, 'm'));
    assert.match(second.stdout, /^✓ use /m);
    assert.equal(fs.existsSync(path.join(b, 'ran.log')), false, 'the restored task did not run');
    assert.equal(fs.readFileSync(path.join(b, 'out/data.txt'), 'utf8'), 'hello\nhello\n');
    assert.equal(fs.readFileSync(path.join(b, 'used.txt'), 'utf8'), 'hello\nhello\npart\n');

    const c = workingCopy({ ...files, 'in.txt': 'other\n' });
    const third = JSON.parse(ok(await mlops(['run', 's.pipeline.yaml', '--format', 'json'], c, env('cy')), 'third run').stdout) as { tasks: { id: string; status: string }[] };
    assert.deepEqual(
      third.tasks.map((t) => t.status),
      ['succeeded', 'succeeded'],
      'other input, other fingerprint: it runs',
    );
    assert.equal(fs.readFileSync(path.join(c, 'ran.log'), 'utf8'), 'ran\n');
  });

  describe('schedules served by two agents', () => {
    const SCHEDULED = { 'sched.pipeline.yaml': 'version: 1\nname: sched\nschedule: ["* * * * *"]\ntasks:\n  tick: {run: "echo fired >> fired.log"}\n' };

    /** A clock offset that puts the next whole minute about `ms` ahead of now. */
    function offsetBefore(ms: number): number {
      const now = Date.now();
      const next = Math.ceil((now + 1) / 60_000) * 60_000;
      let offset = next - now - ms;
      if (offset < 0) offset += 60_000;
      return offset;
    }

    /** stderr of a serve process, as it arrives. */
    function serve(dir: string, user: string, extra: NodeJS.ProcessEnv) {
      const child = spawnMlops(['serve'], dir, { ...env(user), ...extra });
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.stdout!.resume();
      return { child, err: () => stderr };
    }

    it('fires a schedule once across every agent serving it', async () => {
      const a = workingCopy(SCHEDULED);
      const b = workingCopy(SCHEDULED);
      const clock = { MLOPS_CLOCK_OFFSET_MS: String(offsetBefore(4000)) };
      const sa = serve(a, 'ana', clock);
      const sb = serve(b, 'bo', clock);
      // Barrier: both agents have reached the fire time and decided.
      const decided = (s: ReturnType<typeof serve>) => /started run \S+|another agent fires it/.test(s.err());
      await waitFor(
        () => `both agents to decide on the fire\nana: ${sa.err()}\nbo: ${sb.err()}`,
        () => decided(sa) && decided(sb),
        20_000,
      );
      const started = [sa, sb].filter((s) => /started run/.test(s.err()));
      assert.equal(started.length, 1, `ana: ${sa.err()}\nbo: ${sb.err()}`);
      const runs = await waitFor('the scheduled run to end', async () => {
        const r = await sql(url, `SELECT id, status FROM runs WHERE trigger = 'schedule' AND pipeline = 'sched'`);
        return r.length > 0 && r.every((x) => x.status !== 'running') && r;
      });
      assert.deepEqual(
        runs.map((r) => r.status),
        ['succeeded'],
      );
      assert.equal([a, b].filter((d) => fs.existsSync(path.join(d, 'fired.log'))).length, 1);
      sa.child.kill('SIGTERM');
      sb.child.kill('SIGTERM');
      await Promise.all([finished(sa.child), finished(sb.child)]);
    });

    it('hands the schedule to another agent when its holder is killed (SIGKILL)', async () => {
      await sql(url, `DELETE FROM leases`);
      const a = workingCopy(SCHEDULED);
      const b = workingCopy(SCHEDULED);
      const ttl = { MLOPS_LEASE_TTL_MS: '1500' };
      const sa = serve(a, 'ana', ttl);
      await waitFor(
        () => `ana's agent to take the lease: ${sa.err()}`,
        () => /this agent fires it/.test(sa.err()),
      );
      const sb = serve(b, 'bo', ttl);
      await waitFor(
        () => `bo's agent to see ana's lease: ${sb.err()}`,
        () => new RegExp(`fired by the agent of ana@ana-laptop \\(pid ${sa.child.pid}\\)`).test(sb.err()),
      );
      assert.deepEqual(
        (await sql(url, 'SELECT pid FROM leases')).map((l) => Number(l.pid)),
        [sa.child.pid],
      );
      sa.child.kill('SIGKILL');
      await waitFor(
        () => `bo's agent to take over: ${sb.err()}`,
        () => /this agent fires it \(the agent that did stopped renewing its lease\)/.test(sb.err()),
        15_000,
      );
      assert.deepEqual(
        (await sql(url, 'SELECT pid, user_name FROM leases')).map((l) => [Number(l.pid), l.user_name]),
        [[sb.child.pid, 'bo']],
      );
      sb.child.kill('SIGTERM');
      await finished(sb.child);
      assert.deepEqual(await sql(url, 'SELECT pid FROM leases'), [], 'an agent that stops gives its lease up');
    });
  });
});
