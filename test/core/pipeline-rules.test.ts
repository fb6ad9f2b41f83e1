import assert from 'node:assert/strict';
import * as path from 'node:path';
import { PIPELINE_CODES, Workspace, type Diagnostic } from '../../core/src/index';
import {
  assertDiagnostics,
  CHURN_DIR,
  CHURN_FEATURES,
  CHURN_PIPELINE,
  nodeHost,
  pipelineDiagnostics as check,
  rangeOf,
  tempDir,
  within,
  writeTree,
  yaml,
} from './helpers';

/** The documented pipeline codes this file must cover; checked at the end. */
const covered = new Set<string>();
function expectCodes(diags: Diagnostic[]): Diagnostic[] {
  for (const d of diags) covered.add(d.code);
  return diags;
}
const run = (text: string, others: Record<string, string> = {}) => expectCodes(check(text, others));

describe('core: pipeline rules', () => {
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
      assert.deepEqual(check(text, { '/ws/f.features.yaml': catalog }), []);
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
      assertDiagnostics(run(text), [
        { code: 'yaml-syntax', severity: 'error', range: rangeOf(text, 'b'), message: ['Flow sequence', 'end with a ]'] },
      ]);
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
      assertDiagnostics(run(text), [
        { code: 'duplicate-key', severity: 'error', range: rangeOf(text, 'name', 1), message: ["Key 'name' appears twice", 'Remove or rename one'] },
        { code: 'duplicate-key', severity: 'error', range: rangeOf(text, 'run', 1), message: ["Key 'run' appears twice"] },
        { code: 'duplicate-key', severity: 'error', range: within(text, '  a:', 'a', 1), message: ["Key 'a' appears twice"] },
      ]);
    });

    it('reports a repeated key inside a flow mapping', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a: {run: echo, run: again}');
      assertDiagnostics(run(text), [{ code: 'duplicate-key', severity: 'error', range: rangeOf(text, 'run', 1), message: ["Key 'run' appears twice"] }]);
    });
  });

  describe('schema', () => {
    it('reports an unknown key with the closest allowed key', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    nedds: [b]', '  b:', '    run: echo');
      assertDiagnostics(run(text), [
        { code: 'schema', severity: 'error', range: rangeOf(text, 'nedds'), message: ["Unknown key 'nedds' in 'a'", "Did you mean 'needs'?"] },
      ]);
    });

    it('reports a missing required key on the key that lacks it', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    outputs: [x]', '  b:', '    run: echo', '    retries: {backoff: 1s}');
      assertDiagnostics(run(text), [
        { code: 'schema', severity: 'error', range: within(text, '  a:', 'a'), message: ["'a' is missing the required key 'run'"] },
        { code: 'schema', severity: 'error', range: rangeOf(text, 'retries'), message: ["'retries' is missing the required key 'limit'"] },
      ]);
    });

    it('reports a wrong type on the value, with an example of the right shape', () => {
      const text = yaml('version: 2', 'name: p', 'tasks:', '  a:', '    run: [echo]', '    needs: b', '  b:', '    run: echo');
      assertDiagnostics(run(text), [
        { code: 'schema', severity: 'error', range: rangeOf(text, '2'), message: ["'version' must be 1."] },
        { code: 'schema', severity: 'error', range: rangeOf(text, '[echo]'), message: ["'run' must be text."] },
        { code: 'schema', severity: 'error', range: rangeOf(text, 'b', 0), message: ["'needs' must be a list, e.g. needs: [ingest]."] },
      ]);
    });

    it('reports a mapping or list where one of a few words belongs (without crashing on it)', () => {
      const text = yaml('version: 1', 'name: p', 'defaults:', '  executor: {kind: docker}', 'tasks:', '  a:', '    run: echo', '    executor: [local]');
      assertDiagnostics(run(text), [
        { code: 'schema', severity: 'error', range: rangeOf(text, '{kind: docker}'), message: ["'executor' is a mapping; allowed values: local, docker."] },
        { code: 'schema', severity: 'error', range: rangeOf(text, '[local]'), message: ["'executor' is a list; allowed values: local, docker."] },
      ]);
    });

    it('reports a wrong enum word with the closest allowed one', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    executor: dokcer');
      assertDiagnostics(run(text), [
        { code: 'schema', severity: 'error', range: rangeOf(text, 'dokcer'), message: ["'executor' is 'dokcer'; allowed values: local, docker.", "Did you mean 'docker'?"] },
      ]);
    });

    it('reports a missing top-level key and an empty task map', () => {
      const text = yaml('version: 1', 'tasks: {}');
      assertDiagnostics(run(text), [
        { code: 'schema', severity: 'error', range: rangeOf(text, 'version'), message: ["missing the required key 'name'"] },
        { code: 'schema', severity: 'error', range: rangeOf(text, 'tasks'), message: ["'tasks' must have at least 1 entry"] },
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
      assertDiagnostics(run(text), [
        { code: 'invalid-id', severity: 'error', range: rangeOf(text, 'Churn_Train'), message: ["Pipeline name 'Churn_Train' must be a DNS label", "'churn-train'"] },
        { code: 'invalid-id', severity: 'error', range: rangeOf(text, 'learning-rate'), message: ["Param name 'learning-rate' is not valid", "not starting with a digit"] },
        { code: 'invalid-id', severity: 'error', range: within(text, '  Train:', 'Train'), message: ["Task id 'Train' is not valid", 'lower-case'] },
      ]);
    });

    it('offers the DNS-label rename as a quick fix', () => {
      const text = yaml('version: 1', 'name: Churn_Train', 'tasks:', '  a:', '    run: echo');
      const [d] = run(text);
      assert.deepEqual(d!.fixes, [{ kind: 'replace', title: "Rename to 'churn-train'", newText: 'churn-train' }]);
    });
  });

  describe('unknown-need', () => {
    it('suggests the closest task id, also for swapped letters', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  train:', '    run: echo', '  evaluate:', '    run: echo', '    needs: [trian]');
      assertDiagnostics(run(text), [
        { code: 'unknown-need', severity: 'error', range: rangeOf(text, 'trian'), message: ["Task 'evaluate' needs 'trian', but no task has that id.", "Did you mean 'train'?"] },
      ]);
    });

    it('says how to fix it when no id is close', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  train:', '    run: echo', '    needs: [download-everything]');
      assertDiagnostics(run(text), [
        { code: 'unknown-need', severity: 'error', range: rangeOf(text, 'download-everything'), message: ["Define a task 'download-everything' or remove this entry."] },
      ]);
    });

    it('carries the replace, remove and create quick fixes', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  ingest:', '    run: echo', '  train:', '    run: echo', '    needs: [ingset]');
      const [d] = run(text);
      assert.deepEqual(d!.fixes, [
        { kind: 'replace', title: "Change to 'ingest'", newText: 'ingest' },
        { kind: 'remove-need' },
        { kind: 'create-task', id: 'ingset' },
      ]);
    });
  });

  describe('self-need', () => {
    it('reports a task that needs itself on that entry', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  train:', '    run: echo', '    needs: [train]');
      assertDiagnostics(run(text), [
        { code: 'self-need', severity: 'error', range: rangeOf(text, 'train', 1), message: ["Task 'train' lists itself in needs", 'Remove this entry.'] },
      ]);
    });
  });

  describe('cycle', () => {
    it('names the whole cycle and points at the need that closes it', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    needs: [c]', '  b:', '    run: echo', '    needs: [a]', '  c:', '    run: echo', '    needs: [b]');
      assertDiagnostics(run(text), [
        { code: 'cycle', severity: 'error', range: within(text, 'needs: [c]', 'c'), message: ['a → b → c → a', 'Remove one of the dependencies'] },
      ]);
    });

    it('names a two-task cycle a → b → a', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    needs: [b]', '  b:', '    run: echo', '    needs: [a]');
      assertDiagnostics(run(text), [{ code: 'cycle', severity: 'error', range: within(text, 'needs: [b]', 'b'), message: ['a → b → a'] }]);
    });

    it('finds a cycle made of inferred edges and points at the input that closes it', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'tasks:',
        '  a:',
        '    run: echo',
        '    inputs: [seed.txt, data/b.csv]',
        '    outputs: [data/a.csv]',
        '  b:',
        '    run: echo ${{ tasks.a.outputs.0 }}',
        '    outputs: [data/b.csv]',
      );
      const diags = run(text).filter((d) => d.code === 'cycle');
      assertDiagnostics(diags, [{ code: 'cycle', severity: 'error', range: rangeOf(text, 'data/b.csv'), message: ['a → b → a'] }]);
    });
  });

  describe('duplicate-output', () => {
    it('reports two tasks writing the same path, and a path inside another task\'s folder output', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    outputs: [data/x.csv]', '  b:', '    run: echo', '    outputs: [./data/x.csv]', '  c:', '    run: echo', '    outputs: [data]');
      assertDiagnostics(run(text), [
        { code: 'duplicate-output', severity: 'error', range: rangeOf(text, './data/x.csv'), message: ["Tasks 'a' and 'b' both write 'data/x.csv'", 'Rename one of them.'] },
        { code: 'duplicate-output', severity: 'error', range: within(text, '[data]', 'data'), message: ["Output 'data' of 'c' overlaps 'data/x.csv' of 'a'", 'Give each task its own path.'] },
      ]);
    });
  });

  describe('undefined-reference', () => {
    it('reports each undefined name on the expression, suggesting the closest', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'params:',
        '  lr: 0.1',
        'tasks:',
        '  ingest:',
        '    run: echo',
        '    outputs: {raw: data/raw.csv}',
        '  train:',
        '    run: echo ${{ params.lrr }} ${{ params.lr }} ${{tasks.ingest.outputs.rwa}} ${{ tasks.nope.outputs.x }}',
        '    env: {A: "${{ inputs.q }}", B: "${{ outputs.model }}", C: "${{ run.idx }}", D: "${{ parms.lr }}"}',
      );
      assertDiagnostics(run(text), [
        { code: 'undefined-reference', severity: 'error', range: rangeOf(text, 'params.lrr'), message: ["Param 'lrr' is not defined.", "Did you mean 'lr'?"] },
        { code: 'undefined-reference', severity: 'error', range: rangeOf(text, 'tasks.ingest.outputs.rwa'), message: ["Task 'ingest' has no output named 'rwa'.", 'Its named outputs: raw.'] },
        { code: 'undefined-reference', severity: 'error', range: rangeOf(text, 'tasks.nope.outputs.x'), message: ["Task 'nope' is not defined."] },
        { code: 'undefined-reference', severity: 'error', range: rangeOf(text, 'inputs.q'), message: ["Task 'train' has no input named 'q'."] },
        { code: 'undefined-reference', severity: 'error', range: rangeOf(text, 'outputs.model'), message: ["Task 'train' has no output named 'model'."] },
        { code: 'undefined-reference', severity: 'error', range: rangeOf(text, 'run.idx'), message: ['the run offers only ${{ run.id }}'] },
        { code: 'undefined-reference', severity: 'error', range: rangeOf(text, 'parms.lr'), message: ["'${{ parms.lr }}' is not a known expression", 'params.NAME'] },
      ]);
    });

    it('offers the closest name as a quick fix', () => {
      const text = yaml('version: 1', 'name: p', 'params: {epochs: 3}', 'tasks:', '  a:', '    run: echo ${{ params.epoch }}');
      const d = run(text).find((x) => x.code === 'undefined-reference');
      assert.deepEqual(d!.fixes, [{ kind: 'replace', title: "Change to 'params.epochs'", newText: 'params.epochs' }]);
    });
  });

  describe('invalid-cron', () => {
    it('names the wrong field, and counts the fields', () => {
      const text = yaml('version: 1', 'name: p', 'schedule: [{cron: "0 25 * * *"}, "* * *", "@nightly"]', 'tasks:', '  a:', '    run: echo');
      assertDiagnostics(run(text), [
        { code: 'invalid-cron', severity: 'error', range: rangeOf(text, '"0 25 * * *"'), message: ["'25' is not a valid hour (allowed 0-23)."] },
        { code: 'invalid-cron', severity: 'error', range: rangeOf(text, '"* * *"'), message: ["A cron expression has 5 fields", "'* * *' has 3."] },
        { code: 'invalid-cron', severity: 'error', range: rangeOf(text, '"@nightly"'), message: ["'@nightly' is not a known macro", '@daily'] },
      ]);
    });
  });

  describe('invalid-timezone', () => {
    it('reports a non-IANA zone and suggests the closest', () => {
      const text = yaml('version: 1', 'name: p', 'schedule: {cron: "0 3 * * *", timezone: Europe/Berln}', 'tasks:', '  a:', '    run: echo');
      assertDiagnostics(run(text), [
        { code: 'invalid-timezone', severity: 'error', range: rangeOf(text, 'Europe/Berln'), message: ["'Europe/Berln' is not an IANA time zone", "Did you mean 'Europe/Berlin'?"] },
      ]);
    });

    it('rejects offsets and accepts UTC', () => {
      const text = yaml('version: 1', 'name: p', 'schedule: [{cron: "@daily", timezone: "+02:00"}, {cron: "@daily", timezone: UTC}]', 'tasks:', '  a:', '    run: echo');
      assertDiagnostics(run(text), [{ code: 'invalid-timezone', severity: 'error', range: rangeOf(text, '"+02:00"'), message: ["'+02:00' is not an IANA time zone"] }]);
    });
  });

  describe('invalid-quantity', () => {
    it('reports cpu, memory and gpu values that are not quantities, once each', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'defaults:',
        '  resources: {cpu: lots}',
        'tasks:',
        '  a:',
        '    run: echo',
        '    resources: {cpu: 0, memory: 4GB, gpu: 1.5}',
        '  b:',
        '    run: echo',
        '    resources: {cpu: 2Gi, gpu: -1}',
      );
      assertDiagnostics(run(text), [
        { code: 'invalid-quantity', severity: 'error', range: rangeOf(text, 'lots'), message: ["cpu 'lots' is not a CPU quantity", "'500m'"] },
        { code: 'invalid-quantity', severity: 'error', range: within(text, 'cpu: 0', '0'), message: ["cpu '0' is not a CPU quantity"] },
        { code: 'invalid-quantity', severity: 'error', range: rangeOf(text, '4GB'), message: ["memory '4GB' is not a memory quantity", "'4Gi'"] },
        { code: 'invalid-quantity', severity: 'error', range: rangeOf(text, '1.5'), message: ["gpu '1.5' must be a whole number of GPUs"] },
        { code: 'invalid-quantity', severity: 'error', range: rangeOf(text, '2Gi'), message: ["cpu '2Gi' is not a CPU quantity"] },
        { code: 'invalid-quantity', severity: 'error', range: rangeOf(text, '-1'), message: ["gpu '-1' must be a whole number of GPUs"] },
      ]);
    });
  });

  describe('invalid-duration', () => {
    it('reports timeouts and backoffs that are not durations, once each', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'defaults:',
        '  timeout: forever',
        'tasks:',
        '  a:',
        '    run: echo',
        '    timeout: 90',
        '    retries: {limit: 1, backoff: soon}',
        '  b:',
        '    run: echo',
        '    timeout: 1h 30m',
      );
      assertDiagnostics(run(text), [
        { code: 'invalid-duration', severity: 'error', range: rangeOf(text, 'forever'), message: ["timeout 'forever' is not a duration", "'90s', '15m', '2h' or '1h30m'"] },
        { code: 'invalid-duration', severity: 'error', range: rangeOf(text, '90'), message: ["timeout 90 has no unit; write '90s' or '90m'."] },
        { code: 'invalid-duration', severity: 'error', range: rangeOf(text, 'soon'), message: ["backoff 'soon' is not a duration"] },
        { code: 'invalid-duration', severity: 'error', range: rangeOf(text, '1h 30m'), message: ["timeout '1h 30m' is not a duration"] },
      ]);
    });

    it('offers a unit as a quick fix for a bare number', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    timeout: 90');
      const d = run(text).find((x) => x.code === 'invalid-duration');
      assert.deepEqual(d?.fixes, [{ kind: 'replace', title: "Change to '90s'", newText: '90s' }]);
    });
  });

  describe('invalid-image', () => {
    it('reports image references that do not parse', () => {
      const text = yaml('version: 1', 'name: p', 'defaults:', '  image: "Not An Image!"', 'tasks:', '  a:', '    run: echo', '    image: Python:3.12', '  b:', '    run: echo', '    image: "python:"');
      assertDiagnostics(run(text), [
        { code: 'invalid-image', severity: 'error', range: rangeOf(text, '"Not An Image!"'), message: ["'Not An Image!' is not a valid image reference", "'python:3.12-slim'"] },
        { code: 'invalid-image', severity: 'error', range: rangeOf(text, 'Python:3.12'), message: ["'Python:3.12' is not a valid image reference", 'lower-case'] },
        { code: 'invalid-image', severity: 'error', range: rangeOf(text, '"python:"'), message: ["'python:' is not a valid image reference"] },
      ]);
    });
  });

  describe('param-type', () => {
    it('reports defaults that do not match the declared type or enum, and enum values of the wrong type', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'params:',
        '  n: {type: integer, default: 1.5}',
        '  mode: {type: string, default: fast, enum: [full, quick]}',
        '  dry: {type: boolean, default: yes}',
        '  size: {type: number, enum: [1, two]}',
        'tasks:',
        '  a:',
        '    run: echo ${{ params.n }} ${{ params.mode }} ${{ params.dry }} ${{ params.size }}',
      );
      assertDiagnostics(run(text), [
        { code: 'param-type', severity: 'error', range: rangeOf(text, '1.5'), message: ["Default 1.5 of param 'n' is not of type integer.", 'whole number'] },
        { code: 'param-type', severity: 'error', range: rangeOf(text, 'fast'), message: ["Default 'fast' of param 'mode' is not one of its allowed values: 'full', 'quick'."] },
        { code: 'param-type', severity: 'error', range: rangeOf(text, 'yes'), message: ["Default 'yes' of param 'dry' is not of type boolean.", 'true or false'] },
        { code: 'param-type', severity: 'error', range: rangeOf(text, 'two'), message: ["Allowed value 'two' of param 'size' is not of type number."] },
      ]);
    });
  });

  describe('unsafe-path', () => {
    it('reports absolute outputs, outputs that leave the workspace and the whole folder', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    outputs: [/tmp/model.bin, ../../elsewhere/x, ., data/ok.csv]');
      assertDiagnostics(run(text), [
        { code: 'unsafe-path', severity: 'error', range: rangeOf(text, '/tmp/model.bin'), message: ["Output '/tmp/model.bin' is an absolute path", "'data/model.bin'"] },
        { code: 'unsafe-path', severity: 'error', range: rangeOf(text, '../../elsewhere/x'), message: ["Output '../../elsewhere/x' points outside the workspace"] },
        { code: 'unsafe-path', severity: 'error', range: within(text, ', ., ', '.'), message: ["Output '.' is the pipeline's whole folder"] },
      ]);
    });

    it('allows ".." that stays inside the workspace root', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    outputs: [../shared/x.csv]');
      const ws = new Workspace({ root: '/ws' });
      ws.set('/ws/sub/p.pipeline.yaml', text);
      assert.deepEqual(ws.analyze('/ws/sub/p.pipeline.yaml')!.diagnostics, []);
      ws.set('/ws/p.pipeline.yaml', text);
      assert.deepEqual(ws.analyze('/ws/p.pipeline.yaml')!.diagnostics.map((d) => d.code), ['unsafe-path']);
    });
  });

  describe('unknown-feature', () => {
    const catalog = yaml('version: 1', 'feature_views:', '  customer_stats:', '    features: {orders_30d: int64, spend_30d: float64}');

    it('resolves views and features from another document of the workspace, with suggestions', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'defaults:',
        '  features: [custmer_stats]',
        'tasks:',
        '  a:',
        '    run: echo',
        '    features: [customer_stats, customer_stats.orders_30d, customer_stats.order_30d, customer_stats.a.b, totally_unrelated]',
      );
      assertDiagnostics(run(text, { '/ws/other/f.features.yaml': catalog }), [
        { code: 'unknown-feature', severity: 'error', range: rangeOf(text, 'custmer_stats'), message: ["Feature view 'custmer_stats' is not defined", "Did you mean 'customer_stats'?"] },
        { code: 'unknown-feature', severity: 'error', range: rangeOf(text, 'customer_stats.order_30d'), message: ["Feature view 'customer_stats' has no feature 'order_30d'.", "Did you mean 'orders_30d'?"] },
        { code: 'unknown-feature', severity: 'error', range: rangeOf(text, 'customer_stats.a.b'), message: ["'customer_stats.a.b'", 'view.feature'] },
        { code: 'unknown-feature', severity: 'error', range: rangeOf(text, 'totally_unrelated'), message: ["Feature view 'totally_unrelated' is not defined", 'Known views: customer_stats.'] },
      ]);
    });

    it('says so when the workspace has no catalog at all', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    features: [customer_stats]');
      assertDiagnostics(run(text), [
        { code: 'unknown-feature', severity: 'error', range: rangeOf(text, 'customer_stats'), message: ['the workspace has no *.features.yaml file', 'Create one'] },
      ]);
    });

    it('updates when the catalog is added, changed or deleted', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    features: [customer_stats]');
      const ws = new Workspace({ root: '/ws' });
      ws.set('/ws/p.pipeline.yaml', text);
      assert.deepEqual(ws.analyze('/ws/p.pipeline.yaml')!.diagnostics.map((d) => d.code), ['unknown-feature']);
      ws.set('/ws/f.features.yaml', catalog);
      assert.deepEqual(ws.analyze('/ws/p.pipeline.yaml')!.diagnostics, []);
      ws.set('/ws/f.features.yaml', catalog.replace('customer_stats', 'client_stats'));
      assert.deepEqual(ws.analyze('/ws/p.pipeline.yaml')!.diagnostics.map((d) => d.code), ['unknown-feature']);
      ws.set('/ws/f.features.yaml', catalog);
      assert.deepEqual(ws.analyze('/ws/p.pipeline.yaml')!.diagnostics, []);
      ws.delete('/ws/f.features.yaml');
      assert.deepEqual(ws.analyze('/ws/p.pipeline.yaml')!.diagnostics.map((d) => d.code), ['unknown-feature']);
    });
  });

  describe('model-path-not-output', () => {
    it('reports a model path that is not among the task\'s outputs', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  train:', '    run: echo', '    outputs: [models/a.json, artifacts]', '    model: {name: m, path: models/b.json}', '  other:', '    run: echo', '    outputs: {m: {path: models/b.json}}', '  folder:', '    run: echo', '    outputs: [artifacts2]', '    model: {name: n, path: artifacts2/model.pkl}');
      assertDiagnostics(run(text), [
        { code: 'model-path-not-output', severity: 'error', range: rangeOf(text, 'models/b.json'), message: ["model.path 'models/b.json' is not one of task 'train''s outputs", 'add it to outputs'] },
      ]);
    });
  });

  describe('missing-input (real file system)', () => {
    let tmp: ReturnType<typeof tempDir>;
    beforeEach(() => {
      tmp = tempDir();
    });
    afterEach(() => tmp.cleanup());

    it('warns about an input no task produces and that is not on disk', () => {
      writeTree(tmp.dir, { 'data/present.csv': 'x\n', 'src/lib/helper.py': '' });
      const text = yaml(
        'version: 1',
        'name: p',
        'tasks:',
        '  a:',
        '    run: echo',
        '    outputs: [data/made]',
        '  b:',
        '    run: echo',
        '    inputs: [data/present.csv, data/made/part-0.csv, src/lib, data/absent.csv, "${{ tasks.a.outputs.0 }}"]',
      );
      const file = `${tmp.dir}/p.pipeline.yaml`;
      writeTree(tmp.dir, { 'p.pipeline.yaml': text });
      const ws = new Workspace({ root: tmp.dir, host: nodeHost });
      ws.set(file, text);
      assertDiagnostics(expectCodes(ws.analyze(file)!.diagnostics), [
        { code: 'missing-input', severity: 'warning', range: rangeOf(text, 'data/absent.csv'), message: ["Input 'data/absent.csv' is produced by no task and does not exist", 'fix the path'] },
      ]);
      // The file appears: after filesChanged() the warning goes away.
      writeTree(tmp.dir, { 'data/absent.csv': 'y\n' });
      ws.filesChanged();
      assert.deepEqual(ws.analyze(file)!.diagnostics, []);
    });

    it('checks nothing on disk without a host', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  b:', '    run: echo', '    inputs: [data/absent.csv]');
      assert.deepEqual(run(text), []);
    });
  });

  describe('unused-param', () => {
    it('warns about a param that nothing references, even when another param shares its prefix', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'params:',
        '  lr: 0.1',
        '  lr_decay: 0.9',
        '  seed: 1',
        '  epochs: 3',
        '  batch: 32',
        'tasks:',
        '  a:',
        '    run: python t.py --decay ${{ params.lr_decay }} --epochs $MLOPS_PARAM_EPOCHS_MAX',
        '    env: {SEED: "${{ params.seed }}"}',
      );
      assertDiagnostics(run(text), [
        { code: 'unused-param', severity: 'warning', range: rangeOf(text, 'lr'), message: ["Param 'lr' is never used", '${{ params.lr }}', '$MLOPS_PARAM_LR', 'or remove it'] },
        { code: 'unused-param', severity: 'warning', range: rangeOf(text, 'epochs', 0), message: ["Param 'epochs' is never used"] },
        { code: 'unused-param', severity: 'warning', range: rangeOf(text, 'batch'), message: ["Param 'batch' is never used"] },
      ]);
    });

    it('copes with param names full of regular-expression characters', () => {
      const text = yaml('version: 1', 'name: p', 'params:', '  "a(b[": 1', 'tasks:', '  a:', '    run: echo');
      assertDiagnostics(run(text), [
        { code: 'invalid-id', severity: 'error', range: rangeOf(text, '"a(b["'), message: ["Param name 'a(b[' is not valid"] },
        { code: 'unused-param', severity: 'warning', range: rangeOf(text, '"a(b["'), message: ["Param 'a(b[' is never used"] },
      ]);
    });

    it('counts uses through MLOPS_PARAM_ variables, defaults and image', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'params:',
        '  epochs: 3',
        '  tag: "1.0"',
        '  mode: fast',
        'defaults:',
        '  env: {MODE: "${{ params.mode }}"}',
        'tasks:',
        '  a:',
        '    run: python t.py --epochs "$MLOPS_PARAM_EPOCHS"',
        '    image: ghcr.io/acme/t:${{ params.tag }}',
      );
      assert.deepEqual(run(text), []);
    });
  });

  describe('suspicious-quantity', () => {
    it('warns about milli-bytes, byte-sized memory and hundreds of cores', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    resources: {cpu: 500, memory: 512m}', '  b:', '    run: echo', '    resources: {memory: 512}');
      assertDiagnostics(run(text), [
        { code: 'suspicious-quantity', severity: 'warning', range: rangeOf(text, '500'), message: ['cpu 500 asks for 500 cores', 'did you mean 500m (millicores)?'] },
        { code: 'suspicious-quantity', severity: 'warning', range: rangeOf(text, '512m'), message: ["memory '512m' means 0.512 bytes", "did you mean '512Mi'?"] },
        { code: 'suspicious-quantity', severity: 'warning', range: within(text, 'memory: 512}', '512'), message: ["memory '512' is only 512 bytes", "did you mean '512Mi'?"] },
      ]);
    });
  });

  describe('unpinned-image', () => {
    it('warns about an image without a tag or with :latest while cache is on', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'tasks:',
        '  a:',
        '    run: echo',
        '    image: python',
        '  b:',
        '    run: echo',
        '    image: ghcr.io/acme/trainer:latest',
        '  c:',
        '    run: echo',
        '    image: python:latest',
        '    cache: false',
        '  d:',
        '    run: echo',
        '    image: python@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
        '  e:',
        '    run: echo',
        '    image: localhost:5000/trainer:3.1',
      );
      assertDiagnostics(run(text), [
        { code: 'unpinned-image', severity: 'warning', range: rangeOf(text, 'python'), message: ["Image 'python' is not pinned to a tag", 'Pin a version tag or digest, or set cache: false.'] },
        { code: 'unpinned-image', severity: 'warning', range: rangeOf(text, 'ghcr.io/acme/trainer:latest'), message: ["Image 'ghcr.io/acme/trainer:latest' is pinned to :latest"] },
      ]);
    });
  });

  describe('redundant-need', () => {
    it('notes needs implied by an input, by a reference, transitively, or listed twice', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'tasks:',
        '  a:',
        '    run: echo',
        '    outputs: {x: data/x.csv}',
        '  b:',
        '    run: echo',
        '    needs: [a]',
        '  c:',
        '    run: echo',
        '    inputs: [data/x.csv]',
        '    needs: [a, b, b]',
        '  d:',
        '    run: echo ${{ tasks.a.outputs.x }}',
        '    needs: [a]',
      );
      assertDiagnostics(run(text), [
        { code: 'redundant-need', severity: 'info', range: within(text, 'needs: [a, b, b]', 'a'), message: ["'a' is already a dependency because this task reads data/x.csv, which 'a' writes"] },
        { code: 'redundant-need', severity: 'info', range: within(text, 'needs: [a, b, b]', 'b', 0, 1), message: ["'b' is listed twice in needs; remove the repeat."] },
        { code: 'redundant-need', severity: 'info', range: within(text, 'needs: [a]', 'a', 1), message: ["'a' is already a dependency because this task references ${{ tasks.a.outputs.x }}"] },
      ]);
    });

    it('notes a need implied through another need', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '  b:', '    run: echo', '    needs: [a]', '  c:', '    run: echo', '    needs: [b, a]');
      assertDiagnostics(run(text), [
        { code: 'redundant-need', severity: 'info', range: within(text, 'needs: [b, a]', 'a'), message: ["'a' is already implied through 'b', which depends on it; the entry in needs can go."] },
      ]);
    });
  });

  // Runs last: mocha runs the nested describes above before this one.
  describe('coverage', () => {
    it('covers every pipeline code of pipeline-format.md', () => {
      assert.deepEqual([...PIPELINE_CODES].filter((c) => !covered.has(c)), []);
    });
  });
});
