import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { environHas, listProcesses } from '../../agent/src/util/proc';
import { waitFor } from '../wait';
import { alive } from './helpers';
import type { Exit } from '../../agent/src/execute/executor';
import { Launcher, type LaunchListener, type LaunchRequest } from '../../agent/src/execute/launcher';
import { LocalExecutor } from '../../agent/src/execute/local';
import type { PlannedTask } from '../../agent/src/plan';

const BASH = ['/bin/bash', '/usr/bin/bash'].find((b) => fs.existsSync(b)) ?? 'bash';

const readCmdline = (pid: number) => {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1');
  } catch {
    return '';
  }
};
const parentOf = (pid: number) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return -1;
  }
};

interface Report {
  pgid: number | null;
  status: number;
  /** The order the reports came in. */
  order: string[];
}

/** Launches one request on `launcher` and waits for its exit report. */
function run(launcher: Launcher, req: LaunchRequest): Promise<Report> {
  return new Promise((resolve, reject) => {
    const report: Report = { pgid: null, status: -1, order: [] };
    const timer = setTimeout(() => reject(new Error(`no exit report for ${req.argv.join(' ')}`)), 10_000);
    const refused = launcher.launch(req, {
      started: (pgid) => {
        report.pgid = pgid;
        report.order.push('P');
      },
      ended: (status) => {
        clearTimeout(timer);
        report.status = status;
        report.order.push('X');
        resolve(report);
      },
      lost: (reason) => reject(new Error(`lost: ${reason}`)),
    });
    if (refused) reject(new Error(`refused: ${refused}`));
    launcher.flush();
  });
}

describe('the bash launcher', () => {
  let dir: string;
  const saved = process.env.LC_ALL;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-launcher-'));
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.LC_ALL;
    else process.env.LC_ALL = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('passes multibyte paths, arguments and values byte for byte', async () => {
    const work = path.join(dir, 'données ✓');
    fs.mkdirSync(work);
    // The agent in a UTF-8 locale, and in whatever locale this test runs in.
    for (const lcAll of ['C.UTF-8', saved]) {
      if (lcAll === undefined) delete process.env.LC_ALL;
      else process.env.LC_ALL = lcAll;
      const log = path.join(work, `journal é ${lcAll ?? ''}.log`);
      const launcher = new Launcher(BASH);
      try {
        const r = await run(launcher, {
          workdir: work,
          log,
          argv: [BASH, '-c', 'printf "%s|%s|%s\\n" "$1" "$(basename "$PWD")" "$GREETING"', 'x', 'naïve — 日本語 ✓'],
          env: { GREETING: 'ça va ✓' },
        });
        assert.equal(r.status, 0);
        assert.deepEqual(r.order, ['P', 'X']);
        assert.ok(r.pgid! > 0);
        assert.equal(fs.readFileSync(log, 'utf8'), 'naïve — 日本語 ✓|données ✓|ça va ✓\n');
      } finally {
        launcher.close();
      }
    }
  });

  it('reports exit codes, and 128+n for signal n', async () => {
    const launcher = new Launcher(BASH);
    try {
      const log = path.join(dir, 'x.log');
      assert.equal((await run(launcher, { workdir: dir, log, argv: [BASH, '-c', 'exit 3'], env: {} })).status, 3);
      assert.equal((await run(launcher, { workdir: dir, log, argv: [BASH, '-c', 'kill -TERM $$'], env: {} })).status, 143);
      assert.equal((await run(launcher, { workdir: dir, log, argv: ['false'], env: {} })).status, 1);
      assert.equal((await run(launcher, { workdir: path.join(dir, 'missing'), log, argv: ['true'], env: {} })).status, 127);
      assert.match(fs.readFileSync(log, 'utf8'), /cannot enter the working directory .*missing/);
    } finally {
      launcher.close();
    }
  });

  it("gives tasks the agent's LC_ALL, and none when the agent had none", async () => {
    const printenv = ['/usr/bin/printenv', '/bin/printenv'].find((p) => fs.existsSync(p))!;
    for (const value of ['C.UTF-8', undefined]) {
      if (value === undefined) delete process.env.LC_ALL;
      else process.env.LC_ALL = value;
      const launcher = new Launcher(BASH);
      const log = path.join(dir, `lc-${value ?? 'unset'}.log`);
      try {
        const r = await run(launcher, { workdir: dir, log, argv: [printenv, 'LC_ALL'], env: {} });
        assert.equal(r.status, value === undefined ? 1 : 0);
        assert.equal(fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '', value === undefined ? '' : `${value}\n`);
        // A task's own LC_ALL wins.
        const own = path.join(dir, `own-${value ?? 'unset'}.log`);
        await run(launcher, { workdir: dir, log: own, argv: [printenv, 'LC_ALL'], env: { LC_ALL: 'POSIX' } });
        assert.equal(fs.readFileSync(own, 'utf8'), 'POSIX\n');
      } finally {
        launcher.close();
      }
    }
  });

  it('passes every character from U+0001 to U+00FF, the separators and multibyte text in arguments, values and paths', async () => {
    const all = Array.from({ length: 255 }, (_, i) => String.fromCharCode(i + 1)).join('');
    // Both escape characters next to each other and to their escape digits, and every UTF-8 lead byte length.
    const tricky = `\x1e\x1f\x1e0\x1e1\x1f\x1e${all}Āࠀ𐀀✓`;
    // A file name holds at most 255 bytes: the characters are spread over three folders.
    const chars = all.replace('/', '') + '\x1e1';
    const work = path.join(dir, chars.slice(0, 127), chars.slice(127, 190), chars.slice(190));
    fs.mkdirSync(work, { recursive: true });
    const log = path.join(work, `${chars.slice(0, 100)}.log`);
    const launcher = new Launcher(BASH);
    try {
      // Fields that are empty, at the end and in the middle, must survive too.
      const script = 'printf "%s" "$1" >arg; printf "%s" "$V" >env; printf "%s" "$PWD" >pwd; printf "%s|%s|%s" "$#" "$2" "$3" >count';
      const r = await run(launcher, { workdir: work, log, argv: [BASH, '-c', script, 'x', tricky, '', ''], env: { V: tricky, EMPTY: '' } });
      assert.equal(r.status, 0, fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '');
      assert.deepEqual(fs.readFileSync(path.join(work, 'arg')), Buffer.from(tricky));
      assert.deepEqual(fs.readFileSync(path.join(work, 'env')), Buffer.from(tricky));
      assert.deepEqual(fs.readFileSync(path.join(work, 'pwd')), Buffer.from(work));
      assert.equal(fs.readFileSync(path.join(work, 'count'), 'utf8'), '3||');
      assert.equal(fs.readFileSync(log, 'utf8'), '', 'the log is where the launcher was told');
      // The next request is read from the right place.
      assert.equal((await run(launcher, { workdir: dir, log: path.join(dir, 'n.log'), argv: ['true'], env: {} })).status, 0);
    } finally {
      launcher.close();
    }
  });

  it('refuses NUL in arguments, values, names and paths, and the next request still runs', async () => {
    const launcher = new Launcher(BASH);
    const log = path.join(dir, 'nul.log');
    const never: LaunchListener = { started: () => assert.fail('started'), ended: () => assert.fail('ended'), lost: () => assert.fail('lost') };
    try {
      assert.match(launcher.launch({ workdir: dir, log, argv: ['echo', 'a\0b'], env: {} }, never)!, /command contains a NUL character/);
      assert.match(launcher.launch({ workdir: dir, log, argv: ['true'], env: { V: 'a\0b' } }, never)!, /environment variable "V" holds a NUL/);
      assert.match(launcher.launch({ workdir: dir, log, argv: ['true'], env: { 'A\0': 'x' } }, never)!, /environment variable "A\\u0000"/);
      assert.match(launcher.launch({ workdir: `${dir}\0x`, log, argv: ['true'], env: {} }, never)!, /working directory or log path contains a NUL/);
      launcher.flush();
      const r = await run(launcher, { workdir: dir, log, argv: [BASH, '-c', 'echo "$V"'], env: { V: 'after' } });
      assert.equal(r.status, 0);
      assert.equal(fs.readFileSync(log, 'utf8'), 'after\n');
    } finally {
      launcher.close();
    }
  });

  it('tells the listeners of tasks that never reported when the launcher goes away', async () => {
    const launcher = new Launcher(BASH);
    const pidFile = path.join(dir, 'pid');
    let pid = 0;
    try {
      const lost = new Promise<string>((resolve, reject) => {
        const refused = launcher.launch(
          // The task kills its launcher process, so no exit report will ever come.
          { workdir: dir, log: path.join(dir, 'l.log'), argv: [BASH, '-c', `echo $$ >${pidFile}.tmp; mv ${pidFile}.tmp ${pidFile}; kill -KILL $PPID; exec sleep 30`], env: {} },
          { started: () => undefined, ended: (s) => reject(new Error(`ended ${s}`)), lost: resolve },
        );
        if (refused) reject(new Error(refused));
      });
      launcher.flush();
      await waitFor('the task to start', () => fs.existsSync(pidFile));
      pid = Number(fs.readFileSync(pidFile, 'utf8'));
      launcher.close();
      assert.match(await lost, /launcher process ended before the task reported/);
    } finally {
      launcher.close();
      if (pid > 0) process.kill(pid, 'SIGKILL');
    }
  });

  it('runs tasks sent together at the same time, one launcher process each, and reuses an idle one for the next', async () => {
    const launcher = new Launcher(BASH);
    try {
      // Each task waits for the other's marker: run one after the other, neither could end.
      const meet = (mine: string, theirs: string) => [BASH, '-c', `touch ${mine}; until [ -e ${theirs} ]; do sleep 0.01; done`];
      const a = run(launcher, { workdir: dir, log: path.join(dir, 'a.log'), argv: meet('a', 'b'), env: {} });
      const b = run(launcher, { workdir: dir, log: path.join(dir, 'b.log'), argv: meet('b', 'a'), env: {} });
      assert.deepEqual(
        (await Promise.all([a, b])).map((r) => [r.status, r.order]),
        [
          [0, ['P', 'X']],
          [0, ['P', 'X']],
        ],
      );
      const pids = launcher.pids;
      assert.equal(pids.length, 2);
      assert.equal((await run(launcher, { workdir: dir, log: path.join(dir, 'c.log'), argv: ['true'], env: {} })).status, 0);
      assert.deepEqual(launcher.pids, pids, 'the third task ran in one of the two, no new process');
    } finally {
      launcher.close();
    }
  });

  it('forks the task itself as the leader of its process group, and waits for it past a stop', async () => {
    const launcher = new Launcher(BASH);
    const pidFile = path.join(dir, 'pid');
    try {
      const started: number[] = [];
      const ends: number[] = [];
      const done = new Promise<void>((resolve, reject) => {
        const refused = launcher.launch(
          { workdir: dir, log: path.join(dir, 's.log'), argv: [BASH, '-c', `echo $$ >${pidFile}.tmp; mv ${pidFile}.tmp ${pidFile}; kill -STOP $$; echo resumed`], env: {} },
          {
            started: (pgid) => started.push(pgid),
            ended: (s) => {
              ends.push(s);
              resolve();
            },
            lost: (r) => reject(new Error(r)),
          },
        );
        if (refused) reject(new Error(refused));
      });
      launcher.flush();
      await waitFor('the task to start', () => fs.existsSync(pidFile));
      const pid = Number(fs.readFileSync(pidFile, 'utf8'));
      // The command's own process (bash -c became it): its group is the one reported.
      await waitFor('the start report', () => started.length === 1);
      assert.deepEqual(started, [pid]);
      await waitFor('the task to stop itself', () => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('T'));
      process.kill(pid, 'SIGCONT');
      await done;
      // A stop reported as an end would have come first, as 147.
      assert.deepEqual(ends, [0]);
      assert.equal(fs.readFileSync(path.join(dir, 's.log'), 'utf8'), 'resumed\n');
    } finally {
      launcher.close();
    }
  });

  it('the local executor ends a task killed before it started at once, and kills its process the moment it appears', async () => {
    // Without a cgroup, which would stop the process at the end of the run anyway: the kill at its start is what is tested.
    const cgroup = process.env.MLOPS_CGROUP;
    process.env.MLOPS_CGROUP = '0';
    try {
      const ex = new LocalExecutor('r-early-kill');
      const marker = path.join(dir, 'ran');
      const tag = `${process.pid}-${Date.now()}`;
      const task = { id: 't', command: `sleep 1; touch ${marker}`, executor: 'local', workdir: dir, root: dir, env: {} } as unknown as PlannedTask;
      const exits: Exit[] = [];
      let pid: number | null = null;
      const handle = ex.start({ runId: 'r-early-kill', task, attempt: 2, log: path.join(dir, 't.log'), env: { MLOPS_TEST_TAG: tag }, gpus: [] }, { started: (p) => (pid = p), exited: (e) => exits.push(e) });
      // A second Ctrl-C before the launcher has even been sent the request: no report is awaited.
      handle.stop(true);
      assert.deepEqual(exits, [{ code: null, signal: 'SIGKILL', error: null }]);
      ex.flush();
      const launchers = listProcesses().filter((p) => readCmdline(p.pid).includes('mlops-launcher') && parentOf(p.pid) === process.pid);
      assert.equal(launchers.length, 1);
      await ex.dispose();
      // Once the launcher has read everything and gone, and nothing of the task is left, the command must not have finished.
      await waitFor('the launcher to end', () => !alive(launchers[0]!.pid));
      await waitFor('no process of the task', () => !listProcesses().some((p) => environHas(p.pid, `MLOPS_TEST_TAG=${tag}`)));
      assert.equal(pid, null, 'it was never reported as started');
      assert.equal(fs.existsSync(marker), false, 'its command was killed before it finished');
    } finally {
      if (cgroup === undefined) delete process.env.MLOPS_CGROUP;
      else process.env.MLOPS_CGROUP = cgroup;
    }
  });
});
