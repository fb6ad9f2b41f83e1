import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ARTIFACT_KINDS, type ModelsReport, type ModelVersion } from '../../core/src/catalog/index';
import { modelParent, modelRoots, modelVersions, type ModelNode } from '../../client/src/catalog/models-tree-model';
import type { FolderRef } from '../../client/src/catalog/tree-spec';
import { cleanUp, commitAll, copyShop, mlops, mlopsJson, runShop, writeMlflowStore } from '../registry/helpers';
import { allRows, check, checkParentsAndIds, child, folderOf, modelTree, openOf, outline, sha, type Row } from './catalog-fixture';

// The Models tree, computed from what the real agent prints for the registry fixture (a
// pipeline whose train task has a model: block) and for an MLflow file store, without VS Code.

describe('client: Models tree contents from a real model store', function () {
  this.timeout(120_000);
  let dir: string;
  let folder: FolderRef;
  let commit: string;
  let report: ModelsReport;
  let v1: ModelVersion;
  let v2: ModelVersion;
  const read = () => modelTree([{ folder, report: (report = mlopsJson<ModelsReport>(dir, 'models', 'list')), error: null }]);

  before(() => {
    dir = copyShop();
    folder = folderOf(dir);
    commit = commitAll(dir);
    runShop(dir);
    runShop(dir, '--force', '--param', 'lr=0.2');
    const r = mlops(dir, 'models', 'alias', 'shop-model', '2', 'champion');
    assert.equal(r.code, 0, r.stderr);
    read();
    v2 = report.models[0]!.versions[0]!.version;
    v1 = report.models[0]!.versions[1]!.version;
  });
  after(cleanUp);

  it('shows one model row with its version count; no folder row for a single folder', () => {
    const tree = read();
    assert.equal(report.root, dir);
    assert.deepEqual(
      tree.map((r) => r.spec),
      [
        {
          id: `model:file://${dir}:mlops:shop-model`,
          label: 'shop-model',
          description: '2 versions',
          icon: 'symbol-class',
          tooltip: { markdown: '**shop-model**' },
          contextValue: 'mlops.model.mlops',
          collapsible: 'expanded',
        },
      ],
    );
    checkParentsAndIds(tree, modelParent);
  });

  it('lists versions newest first, aliases as badges and the headline metric in the description', () => {
    const versions = read()[0]!.children;
    assert.deepEqual(
      versions.map((r) => r.spec),
      [
        {
          id: `model:file://${dir}:mlops:shop-model:v2`,
          label: 'v2',
          description: '@champion · auc 0.91',
          icon: 'verified',
          tooltip: { markdown: `**shop-model** version 2 — \`@champion\`\n\nregistered ${v2.createdAt} by ${who(v2)} in run \`${v2.experiment.runId}\`` },
          contextValue: 'mlops.modelVersion.mlops',
          collapsible: 'collapsed',
        },
        {
          id: `model:file://${dir}:mlops:shop-model:v1`,
          label: 'v1',
          description: 'auc 0.91',
          icon: 'versions',
          tooltip: { markdown: `**shop-model** version 1\n\nregistered ${v1.createdAt} by ${who(v1)} in run \`${v1.experiment.runId}\`` },
          contextValue: 'mlops.modelVersion.mlops',
          collapsible: 'collapsed',
        },
      ],
    );
    assert.deepEqual(
      modelVersions(modelRoots([{ folder, report, error: null }])).map((v) => [v.model.name, v.entry.version.version]),
      [
        ['shop-model', 2],
        ['shop-model', 1],
      ],
    );
  });

  it('gives each version the eight artifact groups in ARTIFACT_KINDS order, with summaries and item counts', () => {
    const groups = child(read()[0]!.children, 'v2').children;
    assert.deepEqual(
      groups.map((g) => g.spec.label),
      [...ARTIFACT_KINDS],
    );
    assert.deepEqual(
      groups.map((g) => g.spec.label),
      ['definition', 'parameters', 'functions', 'dependencies', 'data', 'code', 'experiment', 'tags'],
    );
    const model = path.join(dir, 'models', 'model.json');
    const py = v2.dependencies.interpreter;
    assert.deepEqual(
      groups.map((g) => [g.spec.label, g.spec.description, g.spec.icon, g.spec.contextValue, g.spec.collapsible, g.children.length]),
      [
        ['definition', 'custom · json', 'symbol-interface', 'mlops.artifactGroup.definition', 'collapsed', 4],
        ['parameters', `${fs.statSync(model).size} B · ${sha(model).slice(0, 12)}`, 'file-binary', 'mlops.artifactGroup.parameters', 'collapsed', 3],
        ['functions', 'featurize, predict', 'symbol-method', 'mlops.artifactGroup.functions', 'collapsed', 2],
        ['dependencies', py.version ? `1 manifest · python ${py.version}` : '1 manifest', 'package', 'mlops.artifactGroup.dependencies', 'collapsed', 3],
        ['data', '1 input · 1 feature view', 'database', 'mlops.artifactGroup.data', 'collapsed', 2],
        ['code', commit.slice(0, 7), 'git-commit', 'mlops.artifactGroup.code', 'collapsed', 4],
        ['experiment', `run ${v2.experiment.runId} · auc 0.91`, 'beaker', 'mlops.artifactGroup.experiment', 'collapsed', 7],
        ['tags', '2', 'tag', 'mlops.artifactGroup.tags', 'collapsed', 2],
      ],
    );
    assert.deepEqual(
      groups.map((g) => g.spec.id),
      ARTIFACT_KINDS.map((k) => `model:file://${dir}:mlops:shop-model:v2:${k}`),
    );
  });

  it('lists each group’s items with what selecting them opens', () => {
    const groups = child(read()[0]!.children, 'v2').children;
    const items = (group: string) => child(groups, group).children.map((r) => [r.spec.label, r.spec.description, r.spec.icon, openOf(r)]);
    const model = path.join(dir, 'models', 'model.json');
    const h = sha(model);
    const runId = v2.experiment.runId!;
    const py = v2.dependencies.interpreter;
    assert.deepEqual(items('definition'), [
      ['framework', 'custom', 'symbol-class', undefined],
      ['format', 'json', 'symbol-file', undefined],
      ['models/model.json', 'model path', 'file', { type: 'file', path: model }],
      ['source', 'mlops model store', 'info', undefined],
    ]);
    assert.deepEqual(items('parameters'), [
      ['models/model.json', `${fs.statSync(model).size} B`, 'file-binary', { type: 'file', path: model }],
      ['sha256', h, 'key', undefined],
      ['stored copy', `artifacts/sha256/${h.slice(0, 2)}/${h}`, 'archive', { type: 'file', path: path.join(dir, '.mlops', 'artifacts', 'sha256', h.slice(0, 2), h) }],
    ]);
    const featurize = sha(path.join(dir, 'src/featurize.py'));
    const predict = sha(path.join(dir, 'src/predict.py'));
    assert.deepEqual(items('functions'), [
      ['featurize', `src/featurize.py:build · ${featurize.slice(0, 12)}`, 'symbol-method', { type: 'file', path: path.join(dir, 'src', 'featurize.py'), find: 'build' }],
      ['predict', `src/predict.py:predict · ${predict.slice(0, 12)}`, 'symbol-method', { type: 'file', path: path.join(dir, 'src', 'predict.py'), find: 'predict' }],
    ]);
    assert.equal(child(child(groups, 'functions').children, 'featurize').spec.tooltip, `src/featurize.py:build\nsha256 ${featurize}`);
    assert.deepEqual(items('dependencies'), [
      ['requirements.txt', sha(path.join(dir, 'requirements.txt')).slice(0, 12), 'file', { type: 'file', path: path.join(dir, 'requirements.txt') }],
      ['python', py.version ?? py.note ?? 'unknown', 'terminal', undefined],
      ['executor', 'local', 'server-process', undefined],
    ]);
    const features = path.join(dir, 'data', 'features.csv');
    assert.deepEqual(items('data'), [
      ['data/features.csv', `${fs.statSync(features).size} B · ${sha(features).slice(0, 12)}`, 'file', { type: 'file', path: features }],
      ['shopper_stats', `feature view · ${v2.data.features[0]!.fingerprint!.slice(0, 12)}`, 'symbol-structure', { type: 'feature-view', view: 'shopper_stats', catalog: 'shop.features.yaml' }],
    ]);
    assert.deepEqual(items('code'), [
      ['commit', commit, 'git-commit', undefined],
      ['branch', 'main', 'git-branch', undefined],
      ['remote', 'https://example.invalid/shop.git', 'repo', undefined],
      ['clean', 'no uncommitted changes', 'check', undefined],
    ]);
    const log = path.join(dir, '.mlops', 'runs', runId, 'train.log');
    const experiment = items('experiment');
    assert.deepEqual(experiment.slice(0, 6), [
      ['run', runId, 'history', { type: 'run', runId, log }],
      ['pipeline', 'shop-train · shop.pipeline.yaml', 'file-code', { type: 'file', path: path.join(dir, 'shop.pipeline.yaml'), find: 'train:' }],
      ['task', 'train', 'symbol-event', undefined],
      ['params', '1', 'settings', undefined],
      ['metrics', '3', 'graph', undefined],
      ['log', `.mlops/runs/${runId}/train.log`, 'output', { type: 'log', path: log, runId }],
    ]);
    assert.equal(experiment[6]![0], 'duration');
    assert.match(experiment[6]![1] as string, /^\d+\.\d s$/);
    assert.deepEqual(items('tags'), [
      ['@champion', 'alias', 'bookmark', undefined],
      ['team', 'growth', 'tag', undefined],
    ]);
  });

  it('nests run params and metrics under collapsed rows', () => {
    const experiment = child(child(read()[0]!.children, 'v2').children, 'experiment').children;
    const params = child(experiment, 'params');
    const metrics = child(experiment, 'metrics');
    assert.equal(params.spec.collapsible, 'collapsed');
    assert.equal(metrics.spec.collapsible, 'collapsed');
    assert.deepEqual(
      params.children.map((r) => [r.spec.label, r.spec.description, r.spec.icon, r.spec.collapsible, r.spec.tooltip]),
      [['lr', '0.2', 'symbol-variable', 'none', 'lr: 0.2']],
    );
    assert.deepEqual(
      metrics.children.map((r) => [r.spec.label, r.spec.description, r.spec.icon, r.spec.collapsible]),
      [
        ['auc', '0.91', 'symbol-number', 'none'],
        ['test.f1', '0.5', 'symbol-number', 'none'],
        ['rows', '3', 'symbol-number', 'none'],
      ],
    );
    assert.deepEqual(
      child(child(read()[0]!.children, 'v1').children, 'experiment')
        .children.find((r) => r.spec.label === 'params')!
        .children.map((r) => r.spec.description),
      ['0.1'],
    );
  });

  it('keeps the same ids when the same store is read again', () => {
    const ids = (rows: Row<ModelNode>[]) => allRows(rows).map((r) => r.spec.id);
    assert.deepEqual(ids(read()), ids(read()));
    // The model, two versions of eight groups each, their items (v1 has no alias under tags) and run params and metrics.
    assert.equal(allRows(read()).length, 1 + 2 * (1 + 8) + (4 + 3 + 2 + 3 + 2 + 4 + 7 + 2) + (4 + 3 + 2 + 3 + 2 + 4 + 7 + 1) + 2 * (1 + 3));
    assert.equal(child(child(read()[0]!.children, 'v1').children, 'tags').spec.description, '1');
  });

  it('flags versions stale once the featurize source changes, naming the change', () => {
    fs.appendFileSync(path.join(dir, 'src', 'featurize.py'), '# tuned after training\n');
    const tree = read();
    const reasons = check(dir).checked;
    assert.deepEqual(
      reasons.map((c) => [c.version, c.reasons.map((r) => r.message)]),
      [
        [2, ['featurize source src/featurize.py changed since training']],
        [1, ['featurize source src/featurize.py changed since training']],
      ],
    );
    assert.equal(tree[0]!.spec.description, '2 versions · 2 stale');
    const v = child(tree[0]!.children, 'v2');
    assert.deepEqual(
      { description: v.spec.description, icon: v.spec.icon, iconColor: v.spec.iconColor, contextValue: v.spec.contextValue },
      { description: '@champion · auc 0.91 · stale', icon: 'warning', iconColor: 'list.warningForeground', contextValue: 'mlops.modelVersion.mlops.stale' },
    );
    assert.deepEqual(v.spec.tooltip, {
      markdown: `**shop-model** version 2 — \`@champion\`\n\nregistered ${v2.createdAt} by ${who(v2)} in run \`${v2.experiment.runId}\`\n\n**Stale** — changed since training:\n\n- featurize source src/featurize.py changed since training`,
    });
    assert.deepEqual(
      v.children.map((r) => r.spec.label),
      ['stale: 1 change since training', ...ARTIFACT_KINDS],
    );
    const stale = v.children[0]!;
    assert.deepEqual(stale.spec, {
      id: `model:file://${dir}:mlops:shop-model:v2:stale`,
      label: 'stale: 1 change since training',
      icon: 'warning',
      iconColor: 'list.warningForeground',
      tooltip: 'featurize source src/featurize.py changed since training',
      collapsible: 'expanded',
    });
    assert.deepEqual(
      stale.children.map((r) => [r.spec.label, r.spec.icon, r.spec.collapsible, r.spec.command]),
      [['featurize source src/featurize.py changed since training', 'warning', 'none', undefined]],
    );
    assert.equal(child(tree[0]!.children, 'v1').spec.description, 'auc 0.91 · stale');
    checkParentsAndIds(tree, modelParent);
  });

  it('names every change when the feature view’s transformation changes too', () => {
    fs.appendFileSync(path.join(dir, 'src', 'features', 'stats.py'), '# new window\n');
    const tree = read();
    const messages = ['feature view shopper_stats changed: its transformation source src/features/stats.py', 'featurize source src/featurize.py changed since training'];
    const checked = check(dir).checked;
    assert.deepEqual(
      checked.map((c) => [c.version, c.reasons.map((r) => r.message)]),
      [
        [2, messages],
        [1, messages],
      ],
    );
    for (const label of ['v2', 'v1']) {
      const stale = child(tree[0]!.children, label).children[0]!;
      // The tree names exactly what `mlops models check` reports.
      assert.deepEqual(
        stale.children.map((r) => r.spec.label),
        checked.find((c) => `v${c.version}` === label)!.reasons.map((r) => r.message),
      );
      assert.equal(stale.spec.label, 'stale: 2 changes since training');
      assert.equal(stale.spec.tooltip, messages.join('\n'));
      assert.deepEqual(
        stale.children.map((r) => r.spec.label),
        messages,
      );
    }
  });

  it('registers a consistent v3 from the edited tree, with its uncommitted changes as a diff', () => {
    runShop(dir, '--force');
    const tree = read();
    assert.deepEqual(
      outline(tree).filter((l) => /^ {2}v\d/.test(l)),
      ['  v3 — auc 0.91', '  v2 — @champion · auc 0.91 · stale', '  v1 — auc 0.91 · stale'],
    );
    assert.equal(tree[0]!.spec.description, '3 versions · 2 stale');
    assert.deepEqual(
      check(dir).checked.map((c) => [c.version, c.reasons.length]),
      [
        [3, 0],
        [2, 2],
        [1, 2],
      ],
    );
    assert.equal(child(tree[0]!.children, 'v3').spec.icon, 'versions');
    const groups = child(tree[0]!.children, 'v3').children;
    assert.deepEqual(
      groups.map((g) => g.spec.label),
      [...ARTIFACT_KINDS],
    );
    const code = child(groups, 'code');
    assert.equal(code.spec.description, `${commit.slice(0, 7)} · dirty`);
    assert.deepEqual(
      code.children.map((r) => [r.spec.label, r.spec.description, r.spec.icon, openOf(r)]),
      [
        ['commit', commit, 'git-commit', undefined],
        ['branch', 'main', 'git-branch', undefined],
        ['remote', 'https://example.invalid/shop.git', 'repo', undefined],
        ['uncommitted changes', '2 changed lines', 'diff', { type: 'diff', name: 'shop-model', version: 3 }],
      ],
    );
  });
});

describe('client: Models tree contents for an MLflow file store', function () {
  this.timeout(120_000);
  let dir: string;
  let report: ModelsReport;
  let tree: Row<ModelNode>[];

  before(() => {
    dir = copyShop();
    runShop(dir);
    writeMlflowStore(dir);
    report = mlopsJson<ModelsReport>(dir, 'models', 'list');
    tree = modelTree([{ folder: folderOf(dir), report, error: null }]);
  });
  after(cleanUp);

  it('shows the MLflow model beside the store’s, marked read-only', () => {
    assert.deepEqual(
      tree.map((r) => [r.spec.label, r.spec.description, r.spec.icon, r.spec.contextValue]),
      [
        ['shop-model', '1 version', 'symbol-class', 'mlops.model.mlops'],
        ['fraud-detector', 'MLflow · 2 versions', 'cloud', 'mlops.model.mlflow'],
      ],
    );
    assert.deepEqual(tree[1]!.spec.tooltip, { markdown: '**fraud-detector**\n\nFlags fraudulent card payments\n\nRead-only, from the MLflow file store.' });
    const versions = tree[1]!.children;
    assert.deepEqual(
      versions.map((r) => [r.spec.label, r.spec.description, r.spec.icon, r.spec.contextValue]),
      [
        ['v2', '@champion · auc 0.9', 'verified', 'mlops.modelVersion.mlflow'],
        ['v1', 'auc 0.85', 'versions', 'mlops.modelVersion.mlflow'],
      ],
    );
    // The alias and tag menus of package.json match only `mlops.modelVersion.mlops…`.
    for (const v of versions) assert.doesNotMatch(v.spec.contextValue!, /^mlops\.modelVersion\.mlops/);
    assert.deepEqual(versions[0]!.spec.tooltip, {
      markdown: `**fraud-detector** version 2 — \`@champion\`\n\nregistered ${new Date(1700000202000).toISOString()} in run \`0f9e8d7c6b5a49382716051423324150\``,
    });
  });

  it('maps an MLflow version onto the eight groups: flavors, run, aliases and tags; its sources do not open', () => {
    const groups = tree[1]!.children[0]!.children;
    const run = '0f9e8d7c6b5a49382716051423324150';
    const model = `mlruns/1/${run}/artifacts/model`;
    assert.deepEqual(
      groups.map((g) => [g.spec.label, g.spec.description, g.children.length]),
      [
        ['definition', 'sklearn · cloudpickle', 6],
        ['parameters', '0 B · missing', 2],
        ['functions', 'predict', 1],
        ['dependencies', '2 manifests · python 3.11.7', 3],
        ['data', '0 inputs · 0 feature views', 0],
        ['code', 'not a git repository', 1],
        ['experiment', `run ${run} · auc 0.9`, 5],
        ['tags', '3', 3],
      ],
    );
    const definition = child(groups, 'definition').children;
    assert.deepEqual(
      definition.map((r) => [r.spec.label, r.spec.description, r.spec.collapsible, r.children.length]),
      [
        ['framework', 'sklearn', 'none', 0],
        ['format', 'cloudpickle', 'none', 0],
        [model, 'model path', 'none', 0],
        ['flavor python_function', undefined, 'collapsed', 5],
        ['flavor sklearn', undefined, 'collapsed', 4],
        ['source', 'MLflow file store (read-only)', 'none', 0],
      ],
    );
    assert.deepEqual(openOf(definition[2]!), { type: 'file', path: path.join(dir, ...model.split('/')) });
    assert.deepEqual(
      child(definition, 'flavor sklearn').children.map((r) => `${r.spec.label}=${r.spec.description}`),
      ['code=null', 'pickled_model=model.pkl', 'serialization_format=cloudpickle', 'sklearn_version=1.5.2'],
    );
    assert.deepEqual(
      child(definition, 'flavor python_function').children.map((r) => r.spec.label),
      ['env', 'loader_module', 'model_path', 'predict_fn', 'python_version'],
    );
    assert.equal(child(child(definition, 'flavor python_function').children, 'env').spec.description, '{"conda":"conda.yaml","virtualenv":"python_env.yaml"}');
    // Read-only: the MLflow loader is no workspace source, so it has nothing to open.
    const predict = child(groups, 'functions').children[0]!;
    assert.deepEqual([predict.spec.label, predict.spec.description, openOf(predict)], ['predict', 'mlflow.sklearn:_load_pyfunc · missing', undefined]);
    const code = child(groups, 'code').children[0]!;
    assert.match(code.spec.label, /recorded no git commit/);
    assert.equal(openOf(code), undefined);
    assert.deepEqual(
      child(groups, 'experiment').children.map((r) => [r.spec.label, r.spec.description, openOf(r)]),
      [
        ['run', run, { type: 'run', runId: run, log: null }],
        ['task', 'run-0.05', undefined],
        ['params', '2', undefined],
        ['metrics', '1', undefined],
        ['duration', '60.0 s', undefined],
      ],
    );
    assert.deepEqual(
      child(groups, 'tags').children.map((r) => [r.spec.label, r.spec.description, r.spec.icon]),
      [
        ['@champion', 'alias', 'bookmark'],
        ['validated', 'true', 'tag'],
        ['mlflow.stage', 'Production', 'tag'],
      ],
    );
    // Nothing under an MLflow model is ever stale.
    assert.ok(allRows(tree[1]!.children).every((r) => !/stale/.test(`${r.spec.label} ${r.spec.description ?? ''}`)));
  });

  it('shows the store’s own model outside git with a note instead of lineage', () => {
    const groups = tree[0]!.children[0]!.children;
    assert.deepEqual(
      groups.map((g) => g.spec.label),
      [...ARTIFACT_KINDS],
    );
    const code = child(groups, 'code');
    assert.equal(code.spec.description, 'not a git repository');
    assert.equal(code.children.length, 1);
    assert.equal(code.children[0]!.spec.icon, 'info');
  });
});

/** `user@host` a version was registered by, as the tooltip shows it. */
function who(v: { registeredBy: { user: string; host: string | null } | null }): string {
  return `${v.registeredBy!.user}@${v.registeredBy!.host}`;
}
