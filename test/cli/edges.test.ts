import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mlopsWithin, project, removeProjects, stopSpawned } from '../agent/helpers';
import { tempDir } from '../files';
import { MiB, mkfifo, peakRssOf, rssEnv, symlink } from '../hostile';

const PIPELINE = "version: 1\nname: p\ntasks:\n  a: {run: 'echo a > a.txt', outputs: [a.txt]}\n";

/** No stack trace, no "internal error": what a user should never see. */
function assertNoCrash(stderr: string): void {
  assert.doesNotMatch(stderr, /\n\s+at |internal error|Error:/, stderr);
}

describe('mlops: edges of the command line', function () {
  this.timeout(60_000);
  after(removeProjects);
  afterEach(stopSpawned);

  it('a folder named *.pipeline.yaml is refused with a sentence by every command that takes a pipeline', async () => {
    const dir = project({ 'd.pipeline.yaml/readme.txt': 'not a pipeline' });
    for (const args of [
      ['run', 'd.pipeline.yaml'],
      ['dag', 'd.pipeline.yaml'],
      ['export', 'argo', 'd.pipeline.yaml'],
    ]) {
      const r = await mlopsWithin(args, dir);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stderr, `mlops ${args[0]}: d.pipeline.yaml is a folder, not a regular file; name a regular *.pipeline.yaml file.\n`);
    }
    const v = await mlopsWithin(['validate', 'd.pipeline.yaml'], dir);
    assert.equal(v.code, 2);
    assertNoCrash(v.stderr);
    assert.match(v.stderr, /^mlops validate: d\.pipeline\.yaml: no \*\.pipeline\.yaml or \*\.features\.yaml files in this folder\./);
  });

  it('a FIFO given as the pipeline is refused at once, never opened for reading', async () => {
    const dir = project({});
    mkfifo(path.join(dir, 'f.pipeline.yaml'));
    for (const args of [
      ['run', 'f.pipeline.yaml'],
      ['dag', 'f.pipeline.yaml'],
      ['export', 'argo', 'f.pipeline.yaml'],
    ]) {
      const r = await mlopsWithin(args, dir);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stderr, `mlops ${args[0]}: f.pipeline.yaml is a FIFO, not a regular file; name a regular *.pipeline.yaml file.\n`);
    }
  });

  it('a --state-dir that cannot be a folder (/proc/…, a device, a file) is a clear error, at once', async () => {
    const dir = project({ 'p.pipeline.yaml': PIPELINE });
    const cases: [string, string][] = [
      ['/proc/mlops-state', 'ENOENT on /proc/mlops-state'],
      ['/proc/self/mlops-state', 'ENOENT on /proc/self/mlops-state'],
      ['/dev/null', 'ENOTDIR on /dev/null'],
      [path.join(dir, 'p.pipeline.yaml', 'state'), `ENOTDIR on ${path.join(dir, 'p.pipeline.yaml', 'state')}`],
    ];
    for (const [stateDir, why] of cases) {
      for (const args of [
        ['run', 'p.pipeline.yaml'],
        ['runs', 'list'],
      ]) {
        const r = await mlopsWithin([...args, '--state-dir', stateDir], dir);
        assert.equal(r.code, 2, `${args.join(' ')} --state-dir ${stateDir}: ${r.stderr}`);
        assert.equal(r.stderr, `mlops ${args[0]}: The state folder ${stateDir} cannot be used (${why}); pass --state-dir with a writable folder.\n`);
      }
    }
  });

  it('--only with no task, and an empty --from or --resume, are usage errors; nothing runs', async () => {
    const dir = project({ 'p.pipeline.yaml': PIPELINE });
    const cases: [string[], string][] = [
      [['--only', ''], '--only needs the ids of the tasks to run, e.g. --only train,evaluate.'],
      [['--only', ' , '], '--only needs the ids of the tasks to run, e.g. --only train,evaluate.'],
      [['--from', ''], '--from needs the id of the task to start from, e.g. --from train.'],
      [['--resume', ''], '--resume needs a run id or last.'],
    ];
    for (const [extra, message] of cases) {
      const r = await mlopsWithin(['run', 'p.pipeline.yaml', ...extra], dir);
      assert.equal(r.code, 2, extra.join(' '));
      assert.ok(r.stderr.startsWith(`mlops run: ${message}\nUsage: mlops run FILE`), r.stderr);
    }
    assert.equal(fs.existsSync(path.join(dir, 'a.txt')), false, 'nothing ran');
    const runs = await mlopsWithin(['runs', 'list', '--format', 'json'], dir);
    assert.deepEqual(JSON.parse(runs.stdout), [], 'no run was recorded');
  });

  it('refuses arguments a command does not take instead of ignoring them', async () => {
    const dir = project({ 'p.pipeline.yaml': PIPELINE });
    assert.equal((await mlopsWithin(['run', 'p.pipeline.yaml'], dir)).code, 0);
    const cases: [string[], string][] = [
      [['runs', 'list', 'extra'], "mlops runs: Unexpected argument 'extra': runs list takes options only."],
      [['runs', 'show', 'last', 'extra'], "mlops runs: Unexpected argument 'extra': runs show takes one run."],
      [['runs', 'logs', 'last', 'a', 'b', 'c'], "mlops runs: Unexpected arguments 'b' 'c': runs logs takes one run and one task."],
      [['agent', '--stdio', 'extra'], "mlops agent: Unexpected argument 'extra': the agent serves the current folder."],
      [['serve', 'extra'], "mlops serve: Unexpected argument 'extra': serve runs the scheduled pipelines of the current folder."],
      [['run', 'p.pipeline.yaml', 'other.pipeline.yaml'], 'mlops run: Run one pipeline at a time; unexpected other.pipeline.yaml.'],
      [['dag', 'p.pipeline.yaml', 'extra'], 'mlops dag: Name exactly one pipeline file'],
    ];
    for (const [args, message] of cases) {
      const r = await mlopsWithin(args, dir);
      assert.equal(r.code, 2, args.join(' '));
      assert.ok(r.stderr.startsWith(message), `${args.join(' ')}: ${r.stderr}`);
    }
  });

  describe('workdir outside the workspace', () => {
    it('validate warns; run refuses the task with a sentence, before anything runs', async () => {
      const dir = project({
        'p.pipeline.yaml': "version: 1\nname: p\ntasks:\n  a: {run: 'touch a.txt', workdir: /}\n  b: {run: 'true'}\n",
      });
      const v = await mlopsWithin(['validate', 'p.pipeline.yaml', '--format', 'json'], dir);
      assert.equal(v.code, 0, 'a warning');
      assert.deepEqual(
        (JSON.parse(v.stdout) as { code: string; severity: string; line: number }[]).map((d) => [d.code, d.severity, d.line]),
        [['workdir-outside', 'warning', 4]],
      );
      const r = await mlopsWithin(['run', 'p.pipeline.yaml'], dir);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, `mlops run: Task 'a' has workdir /, which is outside the workspace ${dir}; set workdir to a folder inside it.\n`);
      assert.equal(fs.existsSync('/a.txt'), false);
    });

    it('run refuses a workdir that is a link leading out of the workspace', async () => {
      const outside = tempDir('mlops-outside-');
      after(() => outside.cleanup());
      const dir = project({ 'p.pipeline.yaml': "version: 1\nname: p\ntasks:\n  a: {run: 'touch here.txt', workdir: out}\n" });
      symlink(outside.dir, path.join(dir, 'out'));
      const r = await mlopsWithin(['run', 'p.pipeline.yaml'], dir);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, `mlops run: Task 'a' has workdir out, which is outside the workspace ${dir}; set workdir to a folder inside it.\n`);
      assert.deepEqual(fs.readdirSync(outside.dir), []);
    });
  });

  describe('dev containers and files over the read limit', () => {
    const RSS_BOUND = 300 * MiB;

    it('says that a requirements file over the limit was not read, instead of treating it as empty', async () => {
      const dir = project({ 'requirements.txt': `torch==2.3.1\n${'# padding\n'.repeat(150_000)}` });
      const r = await mlopsWithin(['devcontainer', 'generate', '--dir', '.', '--gpu', 'off', '--dry-run', '--format', 'json'], dir);
      assert.equal(r.code, 0, r.stderr);
      const facts = (JSON.parse(r.stdout) as { detected: { warnings: string[]; packages: unknown[] } }).detected;
      assert.deepEqual(facts.warnings, [
        'requirements.txt is 1.5 MB, over the 1.0 MB limit for this kind of file, so what it declares was not detected; shorten or split it, or add those dependencies to the generated files by hand.',
      ]);
      assert.deepEqual(facts.packages, []);
    });

    for (const [what, lines, expectDiff] of [
      ['a 5 MB Dockerfile is not compared (and not read whole)', 2_500_000, /\(the existing \.devcontainer\/Dockerfile is 5\.0 MB, over the 1\.0 MB limit for this kind of file, so it was not compared\)/],
      ['a 0.9 MB Dockerfile of 450,000 lines is diffed within bounds', 450_000, /^-x$/m],
    ] as const) {
      it(`diffing a huge existing Dockerfile stays small: ${what}`, async () => {
        const dir = project({ 'requirements.txt': 'numpy==2.0.0\n', '.devcontainer/Dockerfile': 'x\n'.repeat(lines) });
        const rss = path.join(dir, '.rss');
        const r = await mlopsWithin(['devcontainer', 'generate', '--dir', '.', '--gpu', 'off', '--format', 'json'], dir, rssEnv(rss), 60_000);
        assert.equal(r.code, 1, r.stderr);
        const changes = (JSON.parse(r.stdout) as { changes: { path: string; status: string; diff?: string }[] }).changes;
        const docker = changes.find((c) => c.path === '.devcontainer/Dockerfile')!;
        assert.equal(docker.status, 'changed');
        assert.match(docker.diff!, expectDiff);
        assert.equal(fs.readFileSync(path.join(dir, '.devcontainer/Dockerfile'), 'utf8').length, 2 * lines, 'left alone without --force');
        const peak = peakRssOf(rss);
        assert.ok(peak < RSS_BOUND, `peak RSS ${(peak / MiB).toFixed(0)} MB`);
      });
    }
  });
});
