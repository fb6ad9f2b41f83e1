import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  diffVersions,
  fingerprintView,
  flattenMetrics,
  headlineMetric,
  latestMetric,
  modelUri,
  parseMLmodel,
  parseModelRef,
  parseModelVersionMeta,
  renderDiff,
  sha256Text,
  staleness,
  type ModelVersion,
} from '../../core/src/catalog/index';
import { FeatureIndex, loadCatalog, parseYaml } from '../../core/src/index';

const CATALOG = `version: 1
entities:
  customer: {join_keys: [customer_id], description: A paying account}
sources:
  raw: {path: data/raw.csv, timestamp_field: ts}
feature_views:
  stats:
    description: Counts
    entities: [customer]
    source: raw
    ttl: 30d
    transformation: src/stats.py:compute
    owner: growth
    tags: {tier: gold}
    features:
      a: int64
      b: {type: float64, description: B}
`;

function index(text: string): FeatureIndex {
  return new FeatureIndex([loadCatalog('/w/x.features.yaml', parseYaml(text).root)]);
}

function fp(text: string, source = 'def compute(): pass\n') {
  const i = index(text);
  return fingerprintView(i.view('stats')!, i, source);
}

/** A version with every kind filled in, to vary one field at a time. */
function version(over: Partial<ModelVersion> = {}): ModelVersion {
  return {
    name: 'm',
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    registeredBy: null,
    aliases: [],
    definition: { source: 'mlops', framework: 'custom', path: 'models/m.json', format: 'json', description: null, flavors: null },
    parameters: { path: 'models/m.json', kind: 'file', size: 10, sha256: 'a'.repeat(64), stored: null, files: [], note: null },
    functions: {
      featurize: { ref: 'src/f.py:build', file: 'src/f.py', function: 'build', sha256: 'f'.repeat(64) },
      predict: { ref: 'src/p.py:predict', file: 'src/p.py', function: 'predict', sha256: 'e'.repeat(64) },
    },
    dependencies: { manifests: [], interpreter: { name: 'python', version: '3.12.1', note: null }, executor: 'local', image: null },
    data: {
      inputs: [{ path: 'data/x.csv', kind: 'file', size: 5, sha256: '1'.repeat(64) }],
      features: [
        { view: 'stats', catalog: 'x.features.yaml', fingerprint: 'c'.repeat(64), definitionSha256: 'd'.repeat(64), transformation: { ref: 'src/stats.py:compute', file: 'src/stats.py', sha256: '2'.repeat(64) } },
      ],
    },
    code: { repository: true, commit: '3'.repeat(40), branch: 'main', remote: null, dirty: false, diff: null, untracked: [], note: null },
    experiment: { runId: 'r1', pipeline: 'p', file: 'p.pipeline.yaml', task: 'train', params: { lr: 0.1 }, metrics: { auc: 0.8 }, metricsFile: null, log: null, startedAt: null, durationMs: 1, note: null },
    tags: {},
    ...over,
  };
}

describe('catalog core: sha256', () => {
  it('matches node:crypto on empty, one-block, multi-block and non-ASCII text', () => {
    for (const s of ['', 'abc', 'x'.repeat(55), 'x'.repeat(56), 'x'.repeat(64), 'y'.repeat(1000), 'Grüße, 世界 🚀\n']) {
      assert.equal(sha256Text(s), createHash('sha256').update(s, 'utf8').digest('hex'), `length ${s.length}`);
    }
  });
});

describe('catalog core: model references', () => {
  it('parses a name, a version and an alias', () => {
    assert.deepEqual(parseModelRef('churn-classifier'), { ok: true, value: { name: 'churn-classifier', kind: 'latest' } });
    assert.deepEqual(parseModelRef('churn-classifier:12'), { ok: true, value: { name: 'churn-classifier', kind: 'version', version: 12 } });
    assert.deepEqual(parseModelRef('churn-classifier@champion'), { ok: true, value: { name: 'churn-classifier', kind: 'alias', alias: 'champion' } });
  });

  it('refuses malformed references with a sentence saying what to write', () => {
    const message = (t: string) => {
      const r = parseModelRef(t);
      assert.equal(r.ok, false, t);
      return (r as { error: string }).error;
    };
    assert.match(message('m:0'), /'0' is not a version; versions are 1, 2, 3…, e\.g\. m:1\./);
    assert.match(message('m:latest'), /'latest' is not a version/);
    assert.match(message('m:1@a'), /both a version and an alias/);
    assert.match(message('m@'), /'' is not an alias/);
    assert.match(message(':3'), /'' is not a model name/);
    assert.match(message('a b'), /not a model reference/);
  });

  it('builds MLflow-style model URIs', () => {
    assert.equal(modelUri('churn-classifier', 3), 'models:/churn-classifier/3');
    assert.equal(modelUri('churn-classifier', 'champion'), 'models:/churn-classifier@champion');
  });
});

describe('catalog core: feature view fingerprints', () => {
  const base = fp(CATALOG);

  it('is stable and ignores documentation, key order and feature order', () => {
    assert.deepEqual(fp(CATALOG), base);
    const docs = CATALOG.replace('description: Counts', 'description: Order counts').replace('owner: growth', 'owner: risk').replace('tier: gold', 'tier: silver');
    assert.equal(fp(docs).fingerprint, base.fingerprint);
    const reordered = CATALOG.replace('      a: int64\n      b: {type: float64, description: B}\n', '      b: {type: float64, description: B}\n      a: int64\n');
    assert.equal(fp(reordered).fingerprint, base.fingerprint);
  });

  it('changes with the ttl, a feature type, a join key or the source path, naming the definition', () => {
    for (const changed of [
      CATALOG.replace('ttl: 30d', 'ttl: 7d'),
      CATALOG.replace('a: int64', 'a: int32'),
      CATALOG.replace('join_keys: [customer_id]', 'join_keys: [account_id]'),
      CATALOG.replace('path: data/raw.csv', 'path: data/raw2.csv'),
    ]) {
      const f = fp(changed);
      assert.notEqual(f.fingerprint, base.fingerprint);
      assert.notEqual(f.definitionSha256, base.definitionSha256);
      assert.equal(f.transformationSha256, base.transformationSha256);
    }
  });

  it('changes with the transformation source text, and records a missing file as null', () => {
    const f = fp(CATALOG, 'def compute(): return 1\n');
    assert.notEqual(f.fingerprint, base.fingerprint);
    assert.equal(f.definitionSha256, base.definitionSha256);
    const i = index(CATALOG);
    const missing = fingerprintView(i.view('stats')!, i, undefined);
    assert.equal(missing.transformationSha256, null);
    assert.notEqual(missing.fingerprint, base.fingerprint);
  });
});

describe('catalog core: staleness', () => {
  const now = (over: Partial<{ fp: string; def: string; src: string | null; f: string | null; p: string | null; view: null }> = {}) => ({
    files: { 'src/f.py': over.f === undefined ? 'f'.repeat(64) : over.f, 'src/p.py': over.p === undefined ? 'e'.repeat(64) : over.p },
    views: {
      stats:
        over.view === null
          ? null
          : { fingerprint: over.fp ?? 'c'.repeat(64), definitionSha256: over.def ?? 'd'.repeat(64), transformationSha256: over.src === undefined ? '2'.repeat(64) : over.src, catalog: 'x.features.yaml' },
    },
  });

  it('is empty when nothing changed', () => {
    assert.deepEqual(staleness(version(), now()), []);
  });

  it('names what changed in a view', () => {
    assert.deepEqual(
      staleness(version(), now({ fp: '9', def: '8' })).map((r) => r.message),
      ['feature view stats changed: its definition in x.features.yaml'],
    );
    assert.deepEqual(
      staleness(version(), now({ fp: '9', src: '7' })).map((r) => r.message),
      ['feature view stats changed: its transformation source src/stats.py'],
    );
    assert.deepEqual(
      staleness(version(), now({ fp: '9', src: null })).map((r) => r.message),
      ['feature view stats changed: its transformation source src/stats.py (now missing)'],
    );
    assert.deepEqual(
      staleness(version(), now({ fp: '9', def: '8', src: '7' })).map((r) => r.message),
      ['feature view stats changed: its definition in x.features.yaml and its transformation source src/stats.py'],
    );
    assert.deepEqual(
      staleness(version(), now({ view: null })).map((r) => r.message),
      ['feature view stats is no longer defined in any *.features.yaml'],
    );
  });

  it('names changed and missing function sources', () => {
    assert.deepEqual(
      staleness(version(), now({ f: '0'.repeat(64), p: null })).map((r) => r.message),
      ['featurize source src/f.py changed since training', 'predict source src/p.py no longer exists'],
    );
  });
});

describe('catalog core: version diff', () => {
  it('marks changed params, metrics with their delta, data and code', () => {
    const a = version();
    const b = version({
      version: 2,
      experiment: { ...a.experiment, params: { lr: 0.2 }, metrics: { auc: 0.85, f1: 0.5 } },
      code: { ...a.code, commit: '4'.repeat(40), dirty: true },
      data: { ...a.data, inputs: [{ path: 'data/x.csv', kind: 'file', size: 6, sha256: '5'.repeat(64) }] },
    });
    const d = diffVersions(a, b);
    const section = (t: string) =>
      d.sections
        .find((s) => s.title === t)!
        .rows.filter((r) => r.changed)
        .map((r) => [r.key, r.a, r.b]);
    assert.deepEqual(section('params'), [['lr', '0.1', '0.2']]);
    assert.deepEqual(section('metrics'), [
      ['auc', '0.8', '0.85 (+0.05)'],
      ['f1', null, '0.5'],
    ]);
    assert.deepEqual(section('data'), [['data/x.csv', '111111111111', '555555555555']]);
    assert.deepEqual(section('code'), [
      ['commit', '333333333333', '444444444444'],
      ['dirty', 'no', 'yes'],
    ]);
    assert.deepEqual(section('model'), []);
    assert.equal(d.changed, 6);
    const text = renderDiff(d);
    assert.match(text, /^Comparing m:1 with m:2: 6 differences\n/);
    assert.match(text, /^\* f1 +— +0\.5$/m);
    assert.match(text, /^  branch +main +main$/m);
  });
});

describe('catalog core: metrics', () => {
  it('flattens nested numeric values and picks a headline', () => {
    const m = flattenMetrics({ test: { auc: 0.9, n: 3 }, loss: 0.2, name: 'x', ok: true, list: [1] });
    assert.deepEqual(m, { 'test.auc': 0.9, 'test.n': 3, loss: 0.2, ok: 1 });
    assert.deepEqual(headlineMetric(m), { name: 'loss', value: 0.2 });
    assert.deepEqual(headlineMetric({ 'test.auc': 0.9, loss: 0.2 }), { name: 'loss', value: 0.2 });
    assert.deepEqual(headlineMetric({ rows: 3, 'test.f1': 0.4 }), { name: 'test.f1', value: 0.4 });
    assert.equal(headlineMetric({}), undefined);
  });
});

describe('catalog core: MLflow files', () => {
  it('parses a version meta.yaml, flagging deleted versions', () => {
    const meta = parseModelVersionMeta('creation_timestamp: 1700000000000\ncurrent_stage: Deleted_Internal\nname: m\nrun_id: abc\nsource: models:/m-1\nversion: 4\n');
    assert.deepEqual(meta, {
      name: 'm',
      version: 4,
      createdAt: '2023-11-14T22:13:20.000Z',
      stage: 'Deleted_Internal',
      description: null,
      runId: 'abc',
      source: 'models:/m-1',
      storageLocation: null,
      status: null,
      deleted: true,
    });
    assert.equal(parseModelVersionMeta('name: m\n'), undefined);
  });

  it('parses an MLmodel file', () => {
    const m = parseMLmodel("flavors:\n  python_function: {loader_module: mlflow.xgboost}\n  xgboost: {model_format: ubj, xgb_version: 2.1.0}\nrun_id: r\nutc_time_created: '2024-05-01 10:00:00.123456'\n")!;
    assert.deepEqual(Object.keys(m.flavors), ['python_function', 'xgboost']);
    assert.equal(m.runId, 'r');
    assert.equal(m.createdAt, '2024-05-01T10:00:00.123Z');
    assert.equal(m.hasSignature, false);
  });

  it('takes the value of the highest step, then the latest timestamp, of a metric history', () => {
    assert.equal(latestMetric('100 0.5 0\n200 0.7 1\n150 0.9 1\n'), 0.7);
    assert.equal(latestMetric('100 0.5\n'), 0.5);
    assert.equal(latestMetric(''), undefined);
  });
});
