import assert from 'node:assert/strict';
import * as path from 'node:path';
import { PIPELINE_CODES, Workspace } from '../../core/src/index';
import { assertDiagnostics, CHURN_DIR, CHURN_FEATURES, CHURN_PIPELINE, nodeHost, rangeOf, within, yaml } from './helpers';
import { assertRule, PIPELINE_RULE_FAMILIES, ruleSuite } from './rules';

const { run, describeCoverage } = ruleSuite('pipeline', PIPELINE_RULE_FAMILIES.document);

describe('core: pipeline rules: the document: YAML, schema and names', () => {
  describe('clean pipelines', () => {
    it('the examples/churn pipeline and catalog give no diagnostics (with the real file system)', () => {
      const ws = new Workspace({ root: path.dirname(path.dirname(CHURN_DIR)), host: nodeHost });
      const pipeline = path.join(CHURN_DIR, 'churn.pipeline.yaml');
      const features = path.join(CHURN_DIR, 'churn.features.yaml');
      ws.set(pipeline, CHURN_PIPELINE);
      ws.set(features, CHURN_FEATURES);
      assert.deepEqual(ws.analyze(pipeline)!.diagnostics, []);
      assert.deepEqual(ws.analyze(features)!.diagnostics, []);
    });

    it('a hand-written pipeline using every feature gives no diagnostics', () => {
      const text = yaml(
        '# a comment above everything',
        'version: 1',
        'name: nightly-retrain',
        'description: Every field, written correctly.',
        'params:',
        '  lr: {type: number, default: 0.05, description: learning rate}',
        '  epochs: 20',
        '  mode: {type: string, default: full, enum: [full, quick]}',
        '  dry: {type: boolean, default: false}',
        'defaults:',
        '  executor: docker',
        '  image: ghcr.io/acme/trainer:1.4',
        '  resources: {cpu: 500m, memory: 2Gi, gpu: 0}',
        '  retries: {limit: 2, backoff: 1m30s, factor: 2}',
        '  timeout: 1h30m',
        '  env: {MODE: "${{ params.mode }}", DRY: "${{ params.dry }}"}',
        'schedule:',
        '  - "0 3 * * *"',
        '  - {cron: "@weekly", timezone: America/New_York}',
        'tasks:',
        '  ingest:',
        '    run: python ingest.py --out ${{ outputs.raw }}',
        '    outputs: {raw: data/raw.csv}',
        '  featurize_v2:',
        '    run: python featurize.py ${{ inputs.raw }}',
        '    inputs: {raw: "${{ tasks.ingest.outputs.raw }}"}',
        '    outputs: {table: {path: data/features.csv, kind: data}}',
        '    features: [customer_stats, customer_stats.orders_30d]',
        '  train:',
        '    needs: [featurize_v2]',
        '    run: >',
        '      python train.py --lr ${{ params.lr }} --epochs ${{ params.epochs }}',
        '      --run ${{ run.id }} --home ${{ env.HOME }}',
        '    outputs: [models/m.json, reports/metrics.json]',
        '    resources: {cpu: "2", memory: 4Gi, gpu: 1}',
        '    image: python@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
        '    cache: true',
        '    model: {name: m, path: models/m.json, metrics: reports/metrics.json}',
        '  report:',
        '    run: python report.py $MLOPS_PARAM_EPOCHS',
        '    inputs: [models/m.json]',
        '    image: python:latest',
        '    cache: false',
      );
      const catalog = yaml(
        'version: 1',
        'entities: {customer: {join_keys: [customer_id]}}',
        'sources: {tx: {path: data/raw.csv}}',
        'feature_views:',
        '  customer_stats:',
        '    entities: [customer]',
        '    source: tx',
        '    features: {orders_30d: int64}',
      );
      assert.deepEqual(run(text, { '/ws/f.features.yaml': catalog }), []);
    });
  });

  describe('yaml-syntax', () => {
    it('reports a plain scalar that contains ": " at the value, and says to quote it', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: python x.py --mode: fast');
      assertDiagnostics(run(text), [
        { code: 'yaml-syntax', severity: 'error', range: within(text, 'run: python', 'p'), message: ['Nested mappings are not allowed in compact mappings', "If the value contains ': ', put it in quotes"] },
        // What the parser made of it: a mapping where run's text belongs.
        { code: 'schema', severity: 'error', range: { start: within(text, 'run: python', 'p').start, end: { line: 5, character: 0 } }, message: ["'run' must be text."] },
      ]);
    });

    it('reports an unclosed flow sequence at the token that ends it', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    outputs: [x', '  b:', '    run: echo');
      assertRule(run(text), 'yaml-syntax', 'error', [[rangeOf(text, 'b'), 'Flow sequence', 'end with a ]']]);
    });

    it('reports tab indentation', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '\trun: echo');
      assertDiagnostics(run(text), [
        { code: 'yaml-syntax', severity: 'error', range: rangeOf(text, '\t'), message: ['Tabs are not allowed as indentation.', 'Indent with spaces instead.'] },
        // What the parser made of the rest: `a` without a value and `run` at the top level.
        { code: 'schema', severity: 'error', range: { start: rangeOf(text, '  a:').end, end: rangeOf(text, '  a:').end }, message: ["'a' must be a mapping."] },
        { code: 'schema', severity: 'error', range: rangeOf(text, 'run'), message: ["Unknown key 'run' at the top level."] },
      ]);
    });
  });

  describe('duplicate-key', () => {
    it('reports the repeat of a top-level key, a task key and a task id, each on the second key', () => {
      const text = yaml('version: 1', 'name: p', 'name: q', 'tasks:', '  a:', '    run: echo', '    run: again', '  a:', '    run: echo');
      assertRule(run(text), 'duplicate-key', 'error', [
        [rangeOf(text, 'name', 1), "Key 'name' appears twice", 'Remove or rename one'],
        [rangeOf(text, 'run', 1), "Key 'run' appears twice"],
        [within(text, '  a:', 'a', 1), "Key 'a' appears twice"],
      ]);
    });

    it('reports a repeated key inside a flow mapping', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a: {run: echo, run: again}');
      assertRule(run(text), 'duplicate-key', 'error', [[rangeOf(text, 'run', 1), "Key 'run' appears twice"]]);
    });
  });

  describe('schema', () => {
    it('reports an unknown key with the closest allowed key', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    nedds: [b]', '  b:', '    run: echo');
      assertRule(run(text), 'schema', 'error', [[rangeOf(text, 'nedds'), "Unknown key 'nedds' in 'a'", "Did you mean 'needs'?"]]);
    });

    it('reports a missing required key on the key that lacks it', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    outputs: [x]', '  b:', '    run: echo', '    retries: {backoff: 1s}');
      assertRule(run(text), 'schema', 'error', [
        [within(text, '  a:', 'a'), "'a' is missing the required key 'run'"],
        [rangeOf(text, 'retries'), "'retries' is missing the required key 'limit'"],
      ]);
    });

    it('reports a wrong type on the value, with an example of the right shape', () => {
      const text = yaml('version: 2', 'name: p', 'tasks:', '  a:', '    run: [echo]', '    needs: b', '  b:', '    run: echo');
      assertRule(run(text), 'schema', 'error', [
        [rangeOf(text, '2'), "'version' must be 1."],
        [rangeOf(text, '[echo]'), "'run' must be text."],
        [rangeOf(text, 'b', 0), "'needs' must be a list, e.g. needs: [ingest]."],
      ]);
    });

    it('reports a mapping or list where one of a few words belongs (without crashing on it)', () => {
      const text = yaml('version: 1', 'name: p', 'defaults:', '  executor: {kind: docker}', 'tasks:', '  a:', '    run: echo', '    executor: [local]');
      assertRule(run(text), 'schema', 'error', [
        [rangeOf(text, '{kind: docker}'), "'executor' is a mapping; allowed values: local, docker, slurm."],
        [rangeOf(text, '[local]'), "'executor' is a list; allowed values: local, docker, slurm."],
      ]);
    });

    it('reports a wrong enum word with the closest allowed one', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    executor: dokcer');
      assertRule(run(text), 'schema', 'error', [[rangeOf(text, 'dokcer'), "'executor' is 'dokcer'; allowed values: local, docker, slurm.", "Did you mean 'docker'?"]]);
    });

    it('reports a missing top-level key and an empty task map', () => {
      const text = yaml('version: 1', 'tasks: {}');
      assertRule(run(text), 'schema', 'error', [
        [rangeOf(text, 'version'), "missing the required key 'name'"],
        [rangeOf(text, 'tasks'), "'tasks' must have at least 1 entry"],
      ]);
    });

    it('reports an empty document once, and says what it should contain', () => {
      for (const text of ['', '# only a comment\n']) {
        const diags = run(text);
        assert.equal(diags.length, 1, JSON.stringify(diags));
        assert.equal(diags[0]!.code, 'schema');
        assert.deepEqual(diags[0]!.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
        assert.match(diags[0]!.message, /must be a mapping/);
        assert.match(diags[0]!.message, /version.*name.*tasks/);
      }
    });
  });

  describe('invalid-id', () => {
    it('reports a task id, a pipeline name and a param name that break their patterns, once each', () => {
      const text = yaml('version: 1', 'name: Churn_Train', 'params:', '  learning-rate: 0.1', 'tasks:', '  Train:', '    run: echo ${{ params.learning-rate }}');
      assertRule(run(text), 'invalid-id', 'error', [
        [rangeOf(text, 'Churn_Train'), "Pipeline name 'Churn_Train' must be a DNS label", "'churn-train'"],
        [rangeOf(text, 'learning-rate'), "Param name 'learning-rate' is not valid", 'not starting with a digit'],
        [within(text, '  Train:', 'Train'), "Task id 'Train' is not valid", 'lower-case'],
      ]);
    });

    it('offers the DNS-label rename as a quick fix', () => {
      const text = yaml('version: 1', 'name: Churn_Train', 'tasks:', '  a:', '    run: echo');
      const [d] = run(text);
      assert.deepEqual(d!.fixes, [{ kind: 'replace', title: "Rename to 'churn-train'", newText: 'churn-train' }]);
    });
  });

  describeCoverage('covers the document codes of docs/pipeline-format.md');

  it('the rule files of test/core cover every pipeline code between them, each in one file', () => {
    const all = Object.values(PIPELINE_RULE_FAMILIES).flat();
    assert.deepEqual([...all].sort(), [...PIPELINE_CODES].sort());
  });
});
