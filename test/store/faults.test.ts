/**
 * The team store going away under a run, with a PostgreSQL server of the test's own that it
 * stops and starts (the shared test server is never touched).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { finished, mlops, project, removeProjects, spawnMlops, stopSpawned, waitFor } from '../agent/helpers';
import { PrivateServer, requirePostgres, sql } from './pg';

/** `gate` waits for a file the test creates; the rest run after it. */
const PIPELINE = `version: 1
name: faults
tasks:
  gate: {run: 'until [ -f go ]; do sleep 0.05; done; echo through > gate.txt', outputs: [gate.txt]}
  after1: {needs: [gate], run: 'echo one > after1.txt', outputs: [after1.txt]}
  after2: {needs: [after1], run: 'echo two > after2.txt', outputs: [after2.txt]}
`;

describe('team store faults (a private PostgreSQL server, stopped and started)', function () {
  this.timeout(120_000);
  let server: PrivateServer;

  before(async function () {
    await requirePostgres(this);
    server = await PrivateServer.create();
  });
  afterEach(stopSpawned);
  after(() => {
    server?.destroy();
    removeProjects();
  });

  function start(dir: string, extra: NodeJS.ProcessEnv = {}) {
    const child = spawnMlops(['run', 'faults.pipeline.yaml', '--format', 'json'], dir, { MLOPS_STORE: server.url(), ...extra });
    return { child, done: finished(child) };
  }

  async function gateRunning(): Promise<string> {
    const rows = await waitFor('the gate task to be recorded running', () => sql(server.url(), `SELECT run_id FROM attempts WHERE task = 'gate' AND status = 'running'`).then((r) => r.length === 1 && r));
    return rows[0]!.run_id as string;
  }

  it('goes on when its connection is cut, and records everything once it is back', async () => {
    const dir = project({ 'faults.pipeline.yaml': PIPELINE });
    const run = start(dir);
    const id = await gateRunning();
    const cut = await sql(server.url('postgres'), `SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE application_name = 'mlops'`);
    assert.ok(cut.length >= 1, 'the agent had a connection to cut');
    fs.writeFileSync(path.join(dir, 'go'), '');
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { id: string; status: string; tasks: { status: string }[] };
    assert.equal(out.id, id);
    assert.deepEqual(
      out.tasks.map((t) => t.status),
      ['succeeded', 'succeeded', 'succeeded'],
    );
  });

  it('survives the database restarting mid-run: tasks go on while it is down, the run succeeds', async () => {
    const dir = project({ 'faults.pipeline.yaml': PIPELINE });
    const run = start(dir);
    const id = await gateRunning();
    server.stop();
    fs.writeFileSync(path.join(dir, 'go'), '');
    // The tasks after the gate run while nothing can be recorded.
    await waitFor('the last task to run while the database is down', () => fs.existsSync(path.join(dir, 'after2.txt')));
    assert.equal(server.running(), false);
    server.start();
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr);
    const rows = await sql(server.url(), `SELECT task, status, attempts FROM tasks WHERE run_id = $1 ORDER BY position`, [id]);
    assert.deepEqual(
      rows.map((t) => [t.task, t.status, t.attempts]),
      [
        ['gate', 'succeeded', 1],
        ['after1', 'succeeded', 1],
        ['after2', 'succeeded', 1],
      ],
    );
    assert.deepEqual(await sql(server.url(), `SELECT status FROM runs WHERE id = $1`, [id]), [{ status: 'succeeded' }]);
  });

  it('stops the run with a clear message when the database stays away past the bound, keeping what was recorded', async () => {
    const dir = project({ 'faults.pipeline.yaml': PIPELINE });
    const run = start(dir, { MLOPS_STORE_OUTAGE_MS: '2000', MLOPS_HOST: 'faulty-host' });
    const id = await gateRunning();
    server.stop();
    fs.writeFileSync(path.join(dir, 'go'), '');
    const r = await run.done;
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`^mlops run: run ${id} stopped: the PostgreSQL store at 127\\.0\\.0\\.1:${server.port}/mlops has not answered for 2 s \\(.+\\); the run stops here, and what was recorded before stays recorded\\.$`, 'm'),
    );
    server.start();
    // What was committed before the outage is all there: the run, its tasks, the gate's start.
    assert.deepEqual(await sql(server.url(), `SELECT status FROM runs WHERE id = $1`, [id]), [{ status: 'running' }]);
    assert.deepEqual(
      (await sql(server.url(), `SELECT task, status FROM attempts WHERE run_id = $1`, [id])).map((a) => [a.task, a.status]),
      [['gate', 'running']],
    );
    // The next command on that machine finds the run abandoned and marks it interrupted.
    const list = await mlops(['runs', 'show', id, '--format', 'json'], dir, { MLOPS_STORE: server.url(), MLOPS_HOST: 'faulty-host' });
    assert.equal(list.code, 0, list.stderr);
    assert.equal((JSON.parse(list.stdout) as { status: string }).status, 'interrupted');
  });

  it('an unreachable database at start: exit 2, naming the host, nothing run', async () => {
    const dir = project({ 'faults.pipeline.yaml': PIPELINE.replace('until [ -f go ]; do sleep 0.05; done; ', '') });
    server.stop();
    try {
      const r = await mlops(['run', 'faults.pipeline.yaml'], dir, { MLOPS_STORE: server.url() });
      assert.equal(r.code, 2);
      assert.match(r.stderr, new RegExp(`^mlops run: cannot reach the PostgreSQL store at 127\\.0\\.0\\.1:${server.port}/mlops: `));
      assert.equal(fs.existsSync(path.join(dir, 'gate.txt')), false);
    } finally {
      server.start();
    }
  });
});
