import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MODEL_VERSION_KEYS, type CheckReport, type ModelVersion, type ModelsReport, type VersionDiff } from '../../core/src/catalog/index';
import { cleanUp, commitAll, copyShop, git, mlops, mlopsJson, runShop, write } from './helpers';

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const show = (dir: string, ref: string) => mlopsJson<ModelVersion>(dir, 'models', 'show', ref);

describe('model store: registration by a real run (clean git repository)', function () {
  this.timeout(60_000);
  let dir: string;
  let commit: string;
  let v1: ModelVersion;

  before(() => {
    dir = copyShop();
    commit = commitAll(dir);
    runShop(dir);
    v1 = show(dir, 'shop-model');
  });
  after(cleanUp);

  it('prints a version with exactly the keys of docs/model-store.md, in order', () => {
    assert.deepEqual(Object.keys(v1), [...MODEL_VERSION_KEYS]);
    assert.deepEqual(Object.keys(v1), ['name', 'version', 'createdAt', 'registeredBy', 'aliases', 'definition', 'parameters', 'functions', 'dependencies', 'data', 'code', 'experiment', 'tags']);
    assert.equal(v1.name, 'shop-model');
    assert.equal(v1.version, 1);
    assert.ok(Math.abs(Date.parse(v1.createdAt) - Date.now()) < 60_000, `createdAt ${v1.createdAt} is not recent`);
    assert.deepEqual(v1.aliases, []);
  });

  it('records the definition', () => {
    assert.deepEqual(v1.definition, { source: 'mlops', framework: 'custom', path: 'models/model.json', format: 'json', description: null, flavors: null });
  });

  it('copies the parameters into the content-addressed store', () => {
    const model = path.join(dir, 'models', 'model.json');
    assert.equal(v1.parameters.kind, 'file');
    assert.equal(v1.parameters.sha256, sha(model));
    assert.equal(v1.parameters.size, fs.statSync(model).size);
    assert.equal(v1.parameters.stored, `artifacts/sha256/${sha(model).slice(0, 2)}/${sha(model)}`);
    const copy = path.join(dir, '.mlops', v1.parameters.stored!);
    assert.equal(fs.readFileSync(copy, 'utf8'), fs.readFileSync(model, 'utf8'));
  });

  it('hashes the featurize and predict sources', () => {
    assert.deepEqual(v1.functions.featurize, { ref: 'src/featurize.py:build', file: 'src/featurize.py', function: 'build', sha256: sha(path.join(dir, 'src/featurize.py')) });
    assert.equal(v1.functions.predict?.sha256, sha(path.join(dir, 'src/predict.py')));
  });

  it('hashes the dependency manifests and names the interpreter', () => {
    assert.deepEqual(v1.dependencies.manifests, [{ path: 'requirements.txt', size: 13, sha256: sha(path.join(dir, 'requirements.txt')) }]);
    assert.equal(v1.dependencies.interpreter.name, 'python');
    assert.ok(v1.dependencies.interpreter.version !== null || v1.dependencies.interpreter.note, 'an unknown interpreter version must come with a note');
    assert.equal(v1.dependencies.executor, 'local');
    assert.equal(v1.dependencies.image, null);
  });

  it('hashes every input and fingerprints the feature views read upstream', () => {
    assert.deepEqual(v1.data.inputs, [{ path: 'data/features.csv', kind: 'file', size: fs.statSync(path.join(dir, 'data/features.csv')).size, sha256: sha(path.join(dir, 'data/features.csv')) }]);
    assert.equal(v1.data.features.length, 1);
    const f = v1.data.features[0]!;
    assert.equal(f.view, 'shopper_stats');
    assert.equal(f.catalog, 'shop.features.yaml');
    assert.match(f.fingerprint!, /^[0-9a-f]{64}$/);
    assert.deepEqual(f.transformation, { ref: 'src/features/stats.py:compute', file: 'src/features/stats.py', sha256: sha(path.join(dir, 'src/features/stats.py')) });
  });

  it('records git lineage of a clean repository, without the remote credentials', () => {
    assert.equal(v1.code.repository, true);
    assert.equal(v1.code.commit, commit);
    assert.equal(v1.code.branch, 'main');
    assert.equal(v1.code.remote, 'https://example.invalid/shop.git');
    assert.equal(v1.code.dirty, false);
    assert.equal(v1.code.diff, null);
  });

  it('records the run: params, metrics, log and duration', () => {
    const e = v1.experiment;
    assert.match(e.runId!, /^\d{8}-\d{6}-[0-9a-f]{4}$/);
    assert.equal(e.pipeline, 'shop-train');
    assert.equal(e.file, 'shop.pipeline.yaml');
    assert.equal(e.task, 'train');
    assert.deepEqual(e.params, { lr: 0.1 });
    assert.deepEqual(e.metrics, { auc: 0.91, 'test.f1': 0.5, rows: 3 });
    assert.equal(e.metricsFile, 'reports/metrics.json');
    assert.equal(e.log, `.mlops/runs/${e.runId}/train.log`);
    assert.match(fs.readFileSync(path.join(dir, e.log!), 'utf8'), /registered shop-model version 1 \(models:\/shop-model\/1\)/);
    assert.ok(e.durationMs !== null && e.durationMs >= 0 && e.durationMs < 30_000);
  });

  it('keeps the model block tags', () => {
    assert.deepEqual(v1.tags, { team: 'growth' });
  });

  it('does not register again when the task is reused from the cache', () => {
    runShop(dir);
    const list = mlopsJson<ModelsReport>(dir, 'models', 'list');
    assert.deepEqual(
      list.models.map((m) => [m.name, m.versions.map((v) => v.version.version)]),
      [['shop-model', [1]]],
    );
  });

  it('adds version 2 on the next success and never changes version 1', () => {
    runShop(dir, '--force', '--param', 'lr=0.2');
    const v2 = show(dir, 'shop-model');
    assert.equal(v2.version, 2);
    assert.deepEqual(v2.experiment.params, { lr: 0.2 });
    assert.notEqual(v2.parameters.sha256, v1.parameters.sha256);
    assert.deepEqual(show(dir, 'shop-model:1'), v1);
  });

  it('moves an alias from one version to another', () => {
    let r = mlops(dir, 'models', 'alias', 'shop-model', '1', 'champion');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(show(dir, 'shop-model@champion').version, 1);
    assert.deepEqual(show(dir, 'shop-model:1').aliases, ['champion']);
    r = mlops(dir, 'models', 'alias', 'shop-model', '2', 'champion');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /moved from version 1/);
    assert.equal(show(dir, 'shop-model@champion').version, 2);
    assert.deepEqual(show(dir, 'shop-model:1').aliases, []);
    assert.deepEqual(show(dir, 'shop-model:2').aliases, ['champion']);
  });

  it('adds tags to a version, over the model block tags', () => {
    const r = mlops(dir, 'models', 'tag', 'shop-model:1', 'reviewed=yes', 'team=risk');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(show(dir, 'shop-model:1').tags, { team: 'risk', reviewed: 'yes' });
    assert.deepEqual(show(dir, 'shop-model:2').tags, { team: 'growth' });
  });

  it('compares two versions: params, metrics, data and code', () => {
    const d = mlopsJson<VersionDiff>(dir, 'models', 'diff', 'shop-model:1', 'shop-model:2');
    const rows = (t: string) => d.sections.find((s) => s.title === t)!.rows;
    assert.deepEqual(rows('params'), [{ key: 'lr', a: '0.1', b: '0.2', changed: true }]);
    assert.deepEqual(
      rows('metrics').find((r) => r.key === 'auc'),
      { key: 'auc', a: '0.91', b: '0.91', changed: false },
    );
    assert.equal(rows('model').find((r) => r.key === 'parameters')!.changed, true);
    assert.equal(rows('code').find((r) => r.key === 'commit')!.changed, false);
    assert.equal(d.changed, 2);
    const text = mlops(dir, 'models', 'diff', 'shop-model:1', 'shop-model@champion');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Comparing shop-model:1 with shop-model:2: 2 differences/);
    assert.match(text.stdout, /^\* lr\s+0\.1\s+0\.2$/m);
  });

  it('refuses unknown references with a sentence naming what exists', () => {
    let r = mlops(dir, 'models', 'show', 'shop-model:9');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /shop-model has no version 9; its versions are 1, 2\./);
    r = mlops(dir, 'models', 'show', 'nope');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no model 'nope'.*shop-model/);
    r = mlops(dir, 'models', 'show', 'shop-model:x');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /'x' is not a version/);
  });
});

describe('model store: git lineage of a dirty repository and of a plain folder', function () {
  this.timeout(60_000);
  after(cleanUp);

  it('records the diff of uncommitted changes and the untracked files', () => {
    const dir = copyShop();
    const commit = commitAll(dir);
    fs.appendFileSync(path.join(dir, 'src/predict.py'), '# threshold tuned by hand\n');
    write(path.join(dir, 'notes.txt'), 'scratch\n');
    runShop(dir);
    const v = show(dir, 'shop-model');
    assert.equal(v.code.commit, commit);
    assert.equal(v.code.dirty, true);
    assert.match(v.code.diff!, /^diff --git a\/src\/predict\.py b\/src\/predict\.py$/m);
    assert.match(v.code.diff!, /^\+# threshold tuned by hand$/m);
    assert.deepEqual(v.code.untracked, ['notes.txt']);
    assert.equal(v.code.note, '1 untracked file (listed, not in the diff)');
    assert.equal(git(dir, 'status', '--porcelain').includes('.mlops'), false, 'the state folder must ignore itself');
  });

  it('says clearly when the folder is not a git repository', () => {
    const dir = copyShop();
    runShop(dir);
    const v = show(dir, 'shop-model');
    assert.deepEqual({ ...v.code, note: null }, { repository: false, commit: null, branch: null, remote: null, dirty: false, diff: null, untracked: [], note: null });
    assert.match(v.code.note!, /is not a git repository: the commit and uncommitted changes of the code are not recorded/);
    const text = mlops(dir, 'models', 'show', 'shop-model');
    assert.match(text.stdout, /code\s+.*not a git repository/);
  });

  it('keeps the run green when registration fails, and reports why', () => {
    const dir = copyShop();
    fs.mkdirSync(path.join(dir, '.mlops'), { recursive: true });
    write(path.join(dir, '.mlops', 'artifacts'), 'a file where the artifact folder belongs');
    const r = mlops(dir, 'run', 'shop.pipeline.yaml');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /task 'train' succeeded, but model shop-model could not be registered: /);
    const list = mlopsJson<ModelsReport>(dir, 'models', 'list');
    assert.deepEqual(list.models, []);
  });
});

describe('model store: staleness against feature views and functions', function () {
  this.timeout(60_000);
  let dir: string;
  const check = () => mlops(dir, 'models', 'check', '--format', 'json');

  before(() => {
    dir = copyShop();
    commitAll(dir);
    runShop(dir);
  });
  after(cleanUp);

  function restore(file: string) {
    git(dir, 'checkout', '--', file);
  }

  it('is consistent right after training', () => {
    const r = check();
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout) as CheckReport, { stale: false, checked: [{ name: 'shop-model', version: 1, aliases: [], reasons: [] }] });
  });

  it('flips when the feature view definition changes, and back when restored', () => {
    const file = path.join(dir, 'shop.features.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('ttl: 30d', 'ttl: 7d'));
    const r = check();
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout) as CheckReport;
    assert.equal(report.stale, true);
    assert.deepEqual(report.checked[0]!.reasons, [{ kind: 'feature-view', view: 'shopper_stats', change: 'definition', message: 'feature view shopper_stats changed: its definition in shop.features.yaml' }]);
    const text = mlops(dir, 'models', 'check');
    assert.equal(text.code, 1);
    assert.match(text.stdout, /shop-model:1 is stale:\n\s+feature view shopper_stats changed: its definition in shop\.features\.yaml/);
    restore('shop.features.yaml');
    assert.equal(check().code, 0);
  });

  it('ignores documentation-only edits of a view', () => {
    const file = path.join(dir, 'shop.features.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('Order counts per customer', 'Orders per customer').replace('owner: growth', 'owner: risk'));
    assert.equal(check().code, 0);
    restore('shop.features.yaml');
  });

  it('flips when the transformation source changes', () => {
    fs.appendFileSync(path.join(dir, 'src/features/stats.py'), '# changed\n');
    const r = check();
    assert.equal(r.code, 1);
    assert.deepEqual(
      (JSON.parse(r.stdout) as CheckReport).checked[0]!.reasons.map((x) => x.message),
      ['feature view shopper_stats changed: its transformation source src/features/stats.py'],
    );
    restore('src/features/stats.py');
    assert.equal(check().code, 0);
  });

  it('flips when the featurize source changes, naming the file', () => {
    fs.appendFileSync(path.join(dir, 'src/featurize.py'), '\ndef extra():\n    return 1\n');
    const r = check();
    assert.equal(r.code, 1);
    assert.deepEqual((JSON.parse(r.stdout) as CheckReport).checked[0]!.reasons, [
      { kind: 'function', role: 'featurize', file: 'src/featurize.py', change: 'changed', message: 'featurize source src/featurize.py changed since training' },
    ]);
    const list = mlopsJson<ModelsReport>(dir, 'models', 'list');
    assert.deepEqual(
      list.models[0]!.versions[0]!.stale.map((x) => x.message),
      ['featurize source src/featurize.py changed since training'],
    );
    restore('src/featurize.py');
  });

  it('checks the newest and every aliased version by default, all with --all', () => {
    runShop(dir, '--force');
    fs.appendFileSync(path.join(dir, 'src/predict.py'), '# changed\n');
    const checked = (...extra: string[]) => {
      const r = mlops(dir, 'models', 'check', '--format', 'json', ...extra);
      assert.equal(r.code, 1, r.stderr);
      return (JSON.parse(r.stdout) as CheckReport).checked.map((c) => [c.version, c.aliases, c.reasons.map((x) => x.message)]);
    };
    const predict = ['predict source src/predict.py changed since training'];
    assert.deepEqual(checked(), [[2, [], predict]]);
    assert.deepEqual(checked('--all'), [
      [2, [], predict],
      [1, [], predict],
    ]);
    assert.equal(mlops(dir, 'models', 'alias', 'shop-model', '1', 'champion').code, 0);
    assert.deepEqual(checked(), [
      [2, [], predict],
      [1, ['champion'], predict],
    ]);
    assert.deepEqual(checked('shop-model@champion'), [[1, ['champion'], predict]]);
    restore('src/predict.py');
    assert.equal(check().code, 0);
  });
});

describe('model store: content-addressed parameters', function () {
  this.timeout(60_000);
  after(cleanUp);

  it('keeps one copy of equal content, however many versions share it', () => {
    const dir = copyShop();
    runShop(dir);
    runShop(dir, '--force');
    const [v1, v2] = [show(dir, 'shop-model:1'), show(dir, 'shop-model:2')];
    assert.equal(v2.parameters.sha256, v1.parameters.sha256);
    assert.equal(v2.parameters.stored, v1.parameters.stored);
    const shard = path.join(dir, '.mlops', 'artifacts', 'sha256', v1.parameters.sha256!.slice(0, 2));
    assert.deepEqual(fs.readdirSync(shard), [v1.parameters.sha256]);
    assert.deepEqual(fs.readdirSync(path.join(dir, '.mlops', 'artifacts', 'tmp')), [], 'no temporary copy is left behind');
  });

  it('stores every file of a model folder and hashes the folder by its listing', () => {
    const dir = copyShop();
    const file = path.join(dir, 'shop.pipeline.yaml');
    const text = fs
      .readFileSync(file, 'utf8')
      .replace('model: {path: models/model.json, kind: model}', 'model: {path: models/bundle, kind: model}')
      .replace('path: models/model.json', 'path: models/bundle')
      .replace(`printf '{"weights": [1, 2], "lr": %s}\\n' "\${{ params.lr }}" > models/model.json`, `mkdir -p models/bundle/sub && printf 'w' > models/bundle/weights.bin && printf 'c' > models/bundle/sub/config.json`);
    assert.notEqual(text, fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, text);
    runShop(dir);
    const p = show(dir, 'shop-model').parameters;
    assert.equal(p.kind, 'directory');
    assert.equal(p.path, 'models/bundle');
    assert.equal(p.size, 2);
    assert.deepEqual(
      p.files.map((f) => [f.path, f.size, f.sha256]),
      [
        ['sub/config.json', 1, sha(path.join(dir, 'models/bundle/sub/config.json'))],
        ['weights.bin', 1, sha(path.join(dir, 'models/bundle/weights.bin'))],
      ],
    );
    const listing = p.files.map((f) => `${f.path}\0${f.sha256}\n`).join('');
    assert.equal(p.sha256, createHash('sha256').update(listing).digest('hex'));
    for (const f of p.files) assert.equal(fs.readFileSync(path.join(dir, '.mlops', f.stored!), 'utf8'), fs.readFileSync(path.join(dir, 'models/bundle', f.path), 'utf8'));
    assert.equal(show(dir, 'shop-model').definition.format, 'directory');
  });
});
