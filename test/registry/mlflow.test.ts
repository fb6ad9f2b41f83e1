import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MODEL_VERSION_KEYS, type ModelVersion, type ModelsReport } from '../../core/src/catalog/index';
import { cleanUp, copyShop, mlops, mlopsJson, runShop, writeMlflowStore } from './helpers';

describe('model store: an MLflow file store shown beside the registry', function () {
  this.timeout(60_000);
  let dir: string;
  let report: ModelsReport;

  before(() => {
    dir = copyShop();
    runShop(dir);
    writeMlflowStore(dir);
    report = mlopsJson<ModelsReport>(dir, 'models', 'list');
  });
  after(cleanUp);

  it('lists the MLflow model with its live versions, newest first, beside the registry', () => {
    assert.equal(report.mlruns, path.join(dir, 'mlruns'));
    assert.deepEqual(report.problems, []);
    assert.deepEqual(
      report.models.map((m) => [m.name, m.source, m.versions.map((v) => v.version.version)]),
      [
        ['shop-model', 'mlops', [1]],
        ['fraud-detector', 'mlflow', [2, 1]],
      ],
    );
    assert.equal(report.models[1]!.description, 'Flags fraudulent card payments');
  });

  it('maps a version onto the same eight kinds: flavors, run params, latest metrics, aliases, tags', () => {
    const v2 = report.models[1]!.versions[0]!.version;
    assert.deepEqual(Object.keys(v2), [...MODEL_VERSION_KEYS]);
    assert.deepEqual(v2.aliases, ['champion']);
    assert.equal(v2.createdAt, new Date(1700000202000).toISOString());
    assert.equal(v2.definition.source, 'mlflow');
    assert.equal(v2.definition.framework, 'sklearn');
    assert.equal(v2.definition.format, 'cloudpickle');
    assert.deepEqual(Object.keys(v2.definition.flavors!), ['python_function', 'sklearn']);
    assert.equal(v2.definition.flavors!.sklearn!.sklearn_version, '1.5.2');
    // The meta.yaml points at another machine: the model is found through its run instead.
    assert.equal(v2.definition.path, 'mlruns/1/0f9e8d7c6b5a49382716051423324150/artifacts/model');
    assert.deepEqual(v2.experiment.params, { lr: '0.05', 'model/depth': '6' });
    assert.deepEqual(v2.experiment.metrics, { auc: 0.9 });
    assert.equal(v2.experiment.runId, '0f9e8d7c6b5a49382716051423324150');
    assert.equal(v2.experiment.pipeline, 'fraud');
    assert.equal(v2.experiment.durationMs, 60_000);
    assert.equal(v2.dependencies.interpreter.version, '3.11.7');
    assert.deepEqual(
      v2.dependencies.manifests.map((m) => m.path),
      ['mlruns/1/0f9e8d7c6b5a49382716051423324150/artifacts/model/requirements.txt', 'mlruns/1/0f9e8d7c6b5a49382716051423324150/artifacts/model/conda.yaml'],
    );
    assert.deepEqual(v2.tags, { validated: 'true', 'mlflow.stage': 'Production' });
    assert.equal(v2.code.repository, false);
    assert.match(v2.code.note!, /recorded no git commit/);
    const v1 = report.models[1]!.versions[1]!.version;
    assert.equal(v1.code.commit, 'deadbeefcafe0000111122223333444455556666');
    assert.deepEqual(v1.experiment.metrics, { auc: 0.85 });
    assert.deepEqual(v1.aliases, []);
  });

  it('shows an MLflow version by alias and number with exactly the documented keys', () => {
    const byAlias = mlopsJson<ModelVersion>(dir, 'models', 'show', 'fraud-detector@champion');
    assert.deepEqual(Object.keys(byAlias), [...MODEL_VERSION_KEYS]);
    assert.equal(byAlias.version, 2);
    assert.equal(mlopsJson<ModelVersion>(dir, 'models', 'show', 'fraud-detector:1').version, 1);
    const deleted = mlops(dir, 'models', 'show', 'fraud-detector:3');
    assert.equal(deleted.code, 1);
    assert.match(deleted.stderr, /has no version 3/);
  });

  it('is read-only: aliases and tags are changed with MLflow', () => {
    const r = mlops(dir, 'models', 'alias', 'fraud-detector', '1', 'staging');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /comes from the MLflow store .*mlruns, which is shown read-only/);
    assert.equal(fs.existsSync(path.join(dir, 'mlruns', 'models', 'fraud-detector', 'aliases', 'staging')), false);
  });

  it('reads a store named with --mlruns and reports what it cannot read', () => {
    const other = path.join(dir, 'elsewhere');
    fs.renameSync(path.join(dir, 'mlruns'), other);
    fs.mkdirSync(path.join(other, 'models', 'broken'), { recursive: true });
    assert.deepEqual(
      mlopsJson<ModelsReport>(dir, 'models', 'list').models.map((m) => m.name),
      ['shop-model'],
    );
    const r = mlopsJson<ModelsReport>(dir, 'models', 'list', '--mlruns', 'elsewhere');
    assert.deepEqual(
      r.models.map((m) => m.name),
      ['shop-model', 'fraud-detector'],
    );
    assert.deepEqual(r.problems, ['elsewhere/models/broken has no readable meta.yaml; it is not shown.']);
  });
});
