import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeTree } from '../files';

import { BIN, CHURN, mlops, NODE24, REPO } from './mlops';

const AGENT = path.join(REPO, 'dist', 'agent.js');

/** A Node on PATH (or Debian's) too old to run the agent itself, if this machine has one. */
function olderNode(): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(path.delimiter), '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    const file = path.join(dir, 'node');
    if (!dir || !fs.existsSync(file)) continue;
    const r = spawnSync(file, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    const [major = 0, minor = 0] = r.stdout.trim().split('.').map(Number);
    if (r.status === 0 && (major < 22 || (major === 22 && minor < 13))) return file;
  }
  return undefined;
}

/** `mlops … --format json`, parsed; fails with the output when it is not JSON. */
function json(args: string[], cwd: string): { status: number | null; diagnostics: Record<string, unknown>[] } {
  const r = mlops([...args, '--format', 'json'], cwd);
  try {
    return { status: r.status, diagnostics: JSON.parse(r.stdout) as Record<string, unknown>[] };
  } catch {
    throw new Error(`not JSON (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

function gitInit(dir: string): void {
  const r = spawnSync('git', ['init', '-q', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

/** A copy of examples/churn in a fresh git repository. */
function churnRepo(tmp: string): string {
  const dir = path.join(tmp, 'churn');
  fs.cpSync(CHURN, dir, { recursive: true, filter: (src) => !/[/\\](data|models|reports|__pycache__|\.mlops)([/\\]|$)/.test(src.slice(CHURN.length)) });
  gitInit(dir);
  return dir;
}

const ESC = '\u001b';

describe('mlops validate (the real binary)', function () {
  // Each run starts a Node process; the machine may be busy.
  this.timeout(120_000);
  let tmp: string;

  before(() => {
    assert.ok(fs.existsSync(AGENT), 'dist/agent.js is missing: run `npm run build` (or `node scripts/bundle.mjs`) first');
    assert.ok(fs.existsSync(NODE24), 'node_modules/.bin/node is missing: run npm install');
  });
  beforeEach(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-cli-')));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('exit codes', () => {
    it('0 and a one-line summary for the clean example, folder or files', () => {
      const dir = churnRepo(tmp);
      const r = mlops(['validate', '.'], dir);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.equal(r.stdout, '✓ 2 files checked, no problems\n');
      assert.equal(r.stderr, '');
      // The catalog alone: its sources are written by the pipeline, which must be found even when not named.
      const alone = mlops(['validate', 'churn.features.yaml'], dir);
      assert.equal(alone.stdout, '✓ 1 file checked, no problems\n');
      assert.equal(alone.status, 0);
    });

    it('1 when an error is present, 0 when there are only warnings and notes', () => {
      writeTree(tmp, {
        'warn.pipeline.yaml': 'version: 1\nname: w\nparams: {unused: 1}\ntasks:\n  a:\n    run: echo\n    outputs: [x]\n  b:\n    run: echo\n    inputs: [x]\n    needs: [a]\n',
        'err.pipeline.yaml': 'version: 1\nname: e\ntasks:\n  a:\n    run: echo\n    needs: [zz]\n',
      });
      const warn = json(['validate', 'warn.pipeline.yaml'], tmp);
      assert.deepEqual(
        warn.diagnostics.map((d) => [d.severity, d.code]),
        [
          ['warning', 'unused-param'],
          ['info', 'redundant-need'],
        ],
      );
      assert.equal(warn.status, 0);
      const both = json(['validate', 'warn.pipeline.yaml', 'err.pipeline.yaml'], tmp);
      assert.equal(both.status, 1);
      assert.deepEqual(
        both.diagnostics.map((d) => d.code),
        ['unused-param', 'redundant-need', 'unknown-need'],
      );
    });

    const usage: Array<[string, string[], RegExp]> = [
      ['no arguments', ['validate'], /Name at least one file, folder or glob/],
      ['an unknown option', ['validate', '--strict', '.'], /Unknown option --strict\. Options: --format\./],
      ['a missing file', ['validate', 'nope.pipeline.yaml'], /nope\.pipeline\.yaml: no such file or folder\./],
      ['a file of another kind', ['validate', 'notes.yaml'], /notes\.yaml: not a \*\.pipeline\.yaml or \*\.features\.yaml file/],
      ['a bad --format', ['validate', '--format', 'xml', '.'], /--format must be one of text, json\./],
      ['--format without a value', ['validate', '.', '--format'], /--format needs a value\./],
      ['a folder without pipeline or catalog files', ['validate', 'empty'], /empty: no \*\.pipeline\.yaml or \*\.features\.yaml files in this folder\./],
      ['a glob that matches nothing', ['validate', 'nothing/*.pipeline.yaml'], /the pattern matches no \*\.pipeline\.yaml or \*\.features\.yaml file/],
    ];
    for (const [what, args, message] of usage) {
      it(`2 on a usage error: ${what}`, () => {
        writeTree(tmp, { 'notes.yaml': 'a: 1\n', 'empty/readme.txt': 'x\n', 'ok.pipeline.yaml': 'version: 1\nname: p\ntasks:\n  a:\n    run: echo\n' });
        const r = mlops(args, tmp);
        assert.equal(r.status, 2, `${r.stdout}${r.stderr}`);
        assert.match(r.stderr, message);
        assert.match(r.stderr, /Usage: mlops validate <files\|dirs\|globs>… \[--format text\|json\]/);
        assert.equal(r.stdout, '');
      });
    }

    it('2 when one of several files is missing, without checking the others', () => {
      const dir = churnRepo(tmp);
      const r = mlops(['validate', 'churn.pipeline.yaml', 'gone.pipeline.yaml'], dir);
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
    });
  });

  describe('JSON output', () => {
    it('has the exact shape, 1-based lines and columns, and an exclusive end column', () => {
      const text = ['version: 1', 'name: p', 'tasks:', '  ingest:', '    run: echo', '  train:', '    run: echo ${{ params.lr }}', '    needs: [ingset]', ''].join('\n');
      writeTree(tmp, { 'sub/p.pipeline.yaml': text });
      const r = json(['validate', 'sub/p.pipeline.yaml'], tmp);
      assert.equal(r.status, 1);
      assert.deepEqual(r.diagnostics, [
        {
          file: path.join('sub', 'p.pipeline.yaml'),
          line: 7,
          column: 19,
          endLine: 7,
          endColumn: 28,
          severity: 'error',
          code: 'undefined-reference',
          message: "Param 'lr' is not defined. Declare it under params.",
        },
        {
          file: path.join('sub', 'p.pipeline.yaml'),
          line: 8,
          column: 13,
          endLine: 8,
          endColumn: 19,
          severity: 'error',
          code: 'unknown-need',
          message: "Task 'train' needs 'ingset', but no task has that id. Did you mean 'ingest'?",
        },
      ]);
      // Every diagnostic has exactly these keys, in this order.
      for (const d of r.diagnostics) assert.deepEqual(Object.keys(d), ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message']);
      // The columns point at the text: 'params.lr' and 'ingset'.
      const lines = text.split('\n');
      assert.equal(lines[6]!.slice(18, 27), 'params.lr');
      assert.equal(lines[7]!.slice(12, 18), 'ingset');
    });

    it('prints [] for a clean run', () => {
      const dir = churnRepo(tmp);
      const r = mlops(['validate', '--format=json', '.'], dir);
      assert.equal(r.status, 0);
      assert.equal(r.stdout, '[]\n');
    });

    it('reports bytes that are not UTF-8 at their line and column', () => {
      writeTree(tmp, { 'l1.pipeline.yaml': Buffer.concat([Buffer.from('version: 1\nname: p\ndescription: caf'), Buffer.from([0xe9]), Buffer.from('\ntasks:\n  a:\n    run: echo\n')]) });
      const r = json(['validate', 'l1.pipeline.yaml'], tmp);
      assert.equal(r.status, 1);
      assert.deepEqual(
        r.diagnostics.map((d) => [d.code, d.line, d.column, d.endLine, d.endColumn]),
        [['yaml-syntax', 3, 17, 3, 18]],
      );
    });
  });

  describe('text output', () => {
    it('prints file:line:col: severity code: message, without colour when stdout is not a TTY', () => {
      writeTree(tmp, { 'p.pipeline.yaml': 'version: 1\nname: p\nparams: {lr: 1}\ntasks:\n  a:\n    run: echo\n    needs: [zz]\n' });
      const r = mlops(['validate', 'p.pipeline.yaml'], tmp);
      assert.equal(r.status, 1);
      assert.ok(!r.stdout.includes(ESC), JSON.stringify(r.stdout));
      assert.equal(
        r.stdout,
        [
          "p.pipeline.yaml:3:10: warning unused-param: Param 'lr' is never used; reference it as ${{ params.lr }} or $MLOPS_PARAM_LR, or remove it.",
          "p.pipeline.yaml:7:13: error unknown-need: Task 'a' needs 'zz', but no task has that id. Define a task 'zz' or remove this entry.",
          '✗ 1 file checked: 1 error, 1 warning, 0 infos',
          '',
        ].join('\n'),
      );
    });

    it('uses colour when forced', () => {
      writeTree(tmp, { 'p.pipeline.yaml': 'version: 1\nname: p\ntasks:\n  a:\n    run: echo\n    needs: [zz]\n' });
      const r = spawnSync(NODE24, [BIN, 'validate', 'p.pipeline.yaml'], { cwd: tmp, env: { ...process.env, FORCE_COLOR: '1' }, encoding: 'utf8' });
      assert.ok(r.stdout.includes(`${ESC}[31merror${ESC}[39m`), JSON.stringify(r.stdout));
    });
  });

  describe('files, folders and globs', () => {
    it('expands folders recursively and globs, each file once, skipping node_modules and hidden folders', () => {
      const pipe = (name: string) => `version: 1\nname: ${name}\ntasks:\n  a:\n    run: echo\n    needs: [zz]\n`;
      writeTree(tmp, {
        'a/one.pipeline.yaml': pipe('one'),
        'a/b/two.pipeline.yml': pipe('two'),
        'a/b/cat.features.yaml': 'version: 1\nfeature_views:\n  v:\n    ttl: 30\n    features: {x: int64}\n',
        'a/node_modules/dep.pipeline.yaml': pipe('dep'),
        'a/.hidden/h.pipeline.yaml': pipe('h'),
        'c/three.pipeline.yaml': pipe('three'),
        'c/notes.txt': 'x',
      });
      const folder = json(['validate', 'a'], tmp);
      assert.deepEqual([...new Set(folder.diagnostics.map((d) => d.file))], [path.join('a', 'b', 'cat.features.yaml'), path.join('a', 'b', 'two.pipeline.yml'), path.join('a', 'one.pipeline.yaml')]);
      const glob = json(['validate', '**/*.pipeline.y*ml', 'a/one.pipeline.yaml'], tmp);
      assert.deepEqual([...new Set(glob.diagnostics.map((d) => d.file))], [path.join('a', 'b', 'two.pipeline.yml'), path.join('a', 'one.pipeline.yaml'), path.join('c', 'three.pipeline.yaml')]);
      // Unless the pattern names the skipped folder itself.
      const explicit = json(['validate', 'a/node_modules/*.pipeline.yaml'], tmp);
      assert.deepEqual([...new Set(explicit.diagnostics.map((d) => d.file))], [path.join('a', 'node_modules', 'dep.pipeline.yaml')]);
      const text = mlops(['validate', 'a', 'c'], tmp);
      assert.match(text.stdout, /✗ 4 files checked: 4 errors, 0 warnings, 0 infos\n$/);
    });
  });

  describe('cross-file resolution', () => {
    const catalog = 'version: 1\nfeature_views:\n  customer_stats:\n    features: {orders_30d: int64}\n';
    const pipeline = 'version: 1\nname: p\ntasks:\n  a:\n    run: echo\n    features: [customer_stats.orders_30d]\n';

    it('finds feature views anywhere in the git repository, from a sub-folder', () => {
      gitInit(tmp);
      writeTree(tmp, { 'features/shop.features.yaml': catalog, 'pipelines/train/p.pipeline.yaml': pipeline });
      const r = json(['validate', 'p.pipeline.yaml'], path.join(tmp, 'pipelines', 'train'));
      assert.deepEqual(r.diagnostics, []);
      assert.equal(r.status, 0);
    });

    it('outside a repository, looks only below the current folder', () => {
      writeTree(tmp, { 'features/shop.features.yaml': catalog, 'pipelines/train/p.pipeline.yaml': pipeline });
      const inside = json(['validate', 'pipelines/train/p.pipeline.yaml'], tmp);
      assert.deepEqual(inside.diagnostics, []);
      const below = json(['validate', 'p.pipeline.yaml'], path.join(tmp, 'pipelines', 'train'));
      assert.equal(below.status, 1);
      assert.deepEqual(
        below.diagnostics.map((d) => [d.code, d.line, d.column]),
        [['unknown-feature', 6, 16]],
      );
    });

    it('reports a view defined twice in the repository on the file named', () => {
      gitInit(tmp);
      writeTree(tmp, { 'a/x.features.yaml': catalog, 'b/y.features.yaml': catalog });
      const r = json(['validate', 'a/x.features.yaml'], tmp);
      assert.equal(r.status, 1);
      assert.deepEqual(
        r.diagnostics.map((d) => [d.code, d.line, d.column, d.message]),
        [['duplicate-feature-view', 3, 3, "Feature view 'customer_stats' is also defined in ../b/y.features.yaml; view names are global across the workspace. Rename one of them."]],
      );
    });
  });

  it('runs through the re-executing wrapper on an older Node and gives the same answer', function () {
    const older = olderNode();
    if (!older) this.skip(); // no Node older than 22.13 on this machine (Debian's is 18 or 20)
    const dir = churnRepo(tmp);
    const old = mlops(['validate', '.'], dir, older);
    assert.equal(old.status, 0, old.stderr);
    assert.equal(old.stdout, mlops(['validate', '.'], dir).stdout);
  });
});
