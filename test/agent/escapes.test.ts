import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ownCgroup } from '../../agent/src/execute/escapes';
import { alive, finished, parseRun, project, readPid, removeProjects, spawnMlops, stopSpawned, waitFor } from './helpers';

/** Starts a daemon that leaves the task's process group and session, and records its pid. */
const daemon = (name: string) => `setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo $! > ${name}.pid`;

/** Whether this machine lets the agent make cgroups where it runs (root, or a delegated systemd slice). */
function cgroupsWritable(): boolean {
  const base = ownCgroup();
  if (!base) return false;
  const probe = path.join(base, `mlops-probe-${process.pid}`);
  try {
    fs.mkdirSync(probe);
    fs.rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

for (const mode of ['cgroup', 'scan'] as const) {
  describe(`processes that escape a task are stopped (${mode === 'cgroup' ? 'cgroup v2' : 'process scan, MLOPS_CGROUP=0'})`, function () {
    this.timeout(60_000);
    const env = mode === 'scan' ? { MLOPS_CGROUP: '0', MLOPS_KILL_GRACE_MS: '1000' } : { MLOPS_KILL_GRACE_MS: '1000' };
    const pids: number[] = [];
    before(function () {
      if (mode === 'cgroup' && !cgroupsWritable()) {
        console.log('      (skipped: no writable cgroup v2 here; the scan tests below cover this machine)');
        this.skip();
      }
    });
    after(removeProjects);
    afterEach(() => {
      stopSpawned();
      for (const pid of pids.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
    });

    it('after success, failure and timeout: at the end of the task that started them, not before; and none at the end of the run', async () => {
      const dir = project({
        'p.pipeline.yaml': `version: 1
name: escapes
tasks:
  ok:
    # A helper of a running task is left alone: still there after a look or two.
    run: '${daemon('ok')}; sleep 1.5; kill -0 $(cat ok.pid) && echo alive > while-running'
  bad: {run: '${daemon('bad')}; exit 3'}
  slow: {run: '${daemon('slow')}; sleep 100', timeout: 1s}
  check:
    needs: [ok]
    # Passes only once ok's daemon is gone, while the run is still going.
    run: 'for i in $(seq 200); do kill -0 $(cat ok.pid) 2>/dev/null || exit 0; sleep 0.1; done; exit 1'
`,
      });
      const r = await finished(spawnMlops(['run', 'p.pipeline.yaml', '--keep-going', '--parallel', '4', '--format', 'json'], dir, env));
      for (const t of ['ok', 'bad', 'slow']) {
        const pid = readPid(path.join(dir, `${t}.pid`));
        if (pid) pids.push(pid);
      }
      const run = parseRun(r.stdout);
      assert.deepEqual(
        run.tasks.map((t) => [t.id, t.status, t.exitCode]),
        [
          ['ok', 'succeeded', 0],
          ['bad', 'failed', 3],
          ['slow', 'failed', null],
          ['check', 'succeeded', 0],
        ],
        r.stderr,
      );
      assert.equal(fs.readFileSync(path.join(dir, 'while-running'), 'utf8'), 'alive\n');
      for (const t of ['ok', 'bad', 'slow']) {
        const pid = readPid(path.join(dir, `${t}.pid`))!;
        await waitFor(`the daemon of ${t} (${pid}) to be stopped`, () => !alive(pid), 5_000);
      }
      if (mode === 'cgroup')
        assert.deepEqual(
          fs.readdirSync(ownCgroup()!).filter((f) => f === `mlops-run-${run.id}`),
          [],
          'the run cgroup is removed',
        );
    });

    it('after Ctrl-C', async () => {
      const dir = project({ 'p.pipeline.yaml': `version: 1\nname: cancel\ntasks:\n  a: {run: '${daemon('a')}; sleep 100'}\n` });
      const child = spawnMlops(['run', 'p.pipeline.yaml'], dir, env);
      const done = finished(child);
      const pid = await waitFor('the daemon to start', () => readPid(path.join(dir, 'a.pid')));
      pids.push(pid);
      child.kill('SIGINT');
      assert.equal((await done).code, 130);
      await waitFor(`the daemon (${pid}) to be stopped`, () => !alive(pid), 5_000);
    });

    if (mode === 'cgroup') {
      it('even one that clears its environment, at the end of the run', async () => {
        const dir = project({ 'p.pipeline.yaml': `version: 1\nname: scrubbed\ntasks:\n  a: {run: 'env -i setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo $! > a.pid'}\n` });
        const r = await finished(spawnMlops(['run', 'p.pipeline.yaml'], dir, env));
        assert.equal(r.code, 0, r.stderr);
        const pid = readPid(path.join(dir, 'a.pid'))!;
        pids.push(pid);
        await waitFor(`the daemon (${pid}) to be stopped`, () => !alive(pid), 5_000);
      });
    }
  });
}
