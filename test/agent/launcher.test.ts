import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Launcher, type LaunchRequest } from '../../agent/src/execute/launcher';

const BASH = ['/bin/bash', '/usr/bin/bash'].find((b) => fs.existsSync(b)) ?? 'bash';

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
    const queued = launcher.launch(req, {
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
    });
    if (!queued) reject(new Error('not queued'));
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
});
