import assert from 'node:assert/strict';
import { Workspace } from '../../core/src/index';
import { assertDiagnostics, nodeHost, rangeOf, tempDir, within, writeTree, yaml } from './helpers';
import { assertRule, PIPELINE_RULE_FAMILIES, ruleSuite } from './rules';

const { run, seen, describeCoverage } = ruleSuite('pipeline', PIPELINE_RULE_FAMILIES.references);

describe('core: pipeline rules: references: needs, expressions, outputs, inputs, params and features', () => {
  describe('unknown-need', () => {
    it('suggests the closest task id, also for swapped letters', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  train:', '    run: echo', '  evaluate:', '    run: echo', '    needs: [trian]');
      assertRule(run(text), 'unknown-need', 'error', [[rangeOf(text, 'trian'), "Task 'evaluate' needs 'trian', but no task has that id.", "Did you mean 'train'?"]]);
    });

    it('says how to fix it when no id is close', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  train:', '    run: echo', '    needs: [download-everything]');
      assertRule(run(text), 'unknown-need', 'error', [[rangeOf(text, 'download-everything'), "Define a task 'download-everything' or remove this entry."]]);
    });

    it('carries the replace, remove and create quick fixes', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  ingest:', '    run: echo', '  train:', '    run: echo', '    needs: [ingset]');
      const [d] = run(text);
      assert.deepEqual(d!.fixes, [{ kind: 'replace', title: "Change to 'ingest'", newText: 'ingest' }, { kind: 'remove-need' }, { kind: 'create-task', id: 'ingset' }]);
    });
  });

  describe('self-need', () => {
    it('reports a task that needs itself on that entry', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  train:', '    run: echo', '    needs: [train]');
      assertRule(run(text), 'self-need', 'error', [[rangeOf(text, 'train', 1), "Task 'train' lists itself in needs", 'Remove this entry.']]);
    });
  });

  describe('cycle', () => {
    it('names the whole cycle and points at the need that closes it', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    needs: [c]', '  b:', '    run: echo', '    needs: [a]', '  c:', '    run: echo', '    needs: [b]');
      assertRule(run(text), 'cycle', 'error', [[within(text, 'needs: [c]', 'c'), 'a → b → c → a', 'Remove one of the dependencies']]);
    });

    it('names a two-task cycle a → b → a', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    needs: [b]', '  b:', '    run: echo', '    needs: [a]');
      assertRule(run(text), 'cycle', 'error', [[within(text, 'needs: [b]', 'b'), 'a → b → a']]);
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
      assertRule(diags, 'cycle', 'error', [[rangeOf(text, 'data/b.csv'), 'a → b → a']]);
    });
  });

  describe('duplicate-output', () => {
    it("reports two tasks writing the same path, and a path inside another task's folder output", () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    outputs: [data/x.csv]', '  b:', '    run: echo', '    outputs: [./data/x.csv]', '  c:', '    run: echo', '    outputs: [data]');
      assertRule(run(text), 'duplicate-output', 'error', [
        [rangeOf(text, './data/x.csv'), "Tasks 'a' and 'b' both write 'data/x.csv'", 'Rename one of them.'],
        [within(text, '[data]', 'data'), "Output 'data' of 'c' overlaps 'data/x.csv' of 'a'", 'Give each task its own path.'],
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
      assertRule(run(text), 'undefined-reference', 'error', [
        [rangeOf(text, 'params.lrr'), "Param 'lrr' is not defined.", "Did you mean 'lr'?"],
        [rangeOf(text, 'tasks.ingest.outputs.rwa'), "Task 'ingest' has no output named 'rwa'.", 'Its named outputs: raw.'],
        [rangeOf(text, 'tasks.nope.outputs.x'), "Task 'nope' is not defined."],
        [rangeOf(text, 'inputs.q'), "Task 'train' has no input named 'q'."],
        [rangeOf(text, 'outputs.model'), "Task 'train' has no output named 'model'."],
        [rangeOf(text, 'run.idx'), 'the run offers only ${{ run.id }}'],
        [rangeOf(text, 'parms.lr'), "'${{ parms.lr }}' is not a known expression", 'params.NAME'],
      ]);
    });

    it('offers the closest name as a quick fix', () => {
      const text = yaml('version: 1', 'name: p', 'params: {epochs: 3}', 'tasks:', '  a:', '    run: echo ${{ params.epoch }}');
      const d = run(text).find((x) => x.code === 'undefined-reference');
      assert.deepEqual(d!.fixes, [{ kind: 'replace', title: "Change to 'params.epochs'", newText: 'params.epochs' }]);
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
      assertRule(run(text, { '/ws/other/f.features.yaml': catalog }), 'unknown-feature', 'error', [
        [rangeOf(text, 'custmer_stats'), "Feature view 'custmer_stats' is not defined", "Did you mean 'customer_stats'?"],
        [rangeOf(text, 'customer_stats.order_30d'), "Feature view 'customer_stats' has no feature 'order_30d'.", "Did you mean 'orders_30d'?"],
        [rangeOf(text, 'customer_stats.a.b'), "'customer_stats.a.b'", 'view.feature'],
        [rangeOf(text, 'totally_unrelated'), "Feature view 'totally_unrelated' is not defined", 'Known views: customer_stats.'],
      ]);
    });

    it('says so when the workspace has no catalog at all', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    features: [customer_stats]');
      assertRule(run(text), 'unknown-feature', 'error', [[rangeOf(text, 'customer_stats'), 'the workspace has no *.features.yaml file', 'Create one']]);
    });

    it('updates when the catalog is added, changed or deleted', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    features: [customer_stats]');
      const ws = new Workspace({ root: '/ws' });
      ws.set('/ws/p.pipeline.yaml', text);
      assert.deepEqual(
        ws.analyze('/ws/p.pipeline.yaml')!.diagnostics.map((d) => d.code),
        ['unknown-feature'],
      );
      ws.set('/ws/f.features.yaml', catalog);
      assert.deepEqual(ws.analyze('/ws/p.pipeline.yaml')!.diagnostics, []);
      ws.set('/ws/f.features.yaml', catalog.replace('customer_stats', 'client_stats'));
      assert.deepEqual(
        ws.analyze('/ws/p.pipeline.yaml')!.diagnostics.map((d) => d.code),
        ['unknown-feature'],
      );
      ws.set('/ws/f.features.yaml', catalog);
      assert.deepEqual(ws.analyze('/ws/p.pipeline.yaml')!.diagnostics, []);
      ws.delete('/ws/f.features.yaml');
      assert.deepEqual(
        ws.analyze('/ws/p.pipeline.yaml')!.diagnostics.map((d) => d.code),
        ['unknown-feature'],
      );
    });
  });

  describe('model-path-not-output', () => {
    it("reports a model path that is not among the task's outputs", () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'tasks:',
        '  train:',
        '    run: echo',
        '    outputs: [models/a.json, artifacts]',
        '    model: {name: m, path: models/b.json}',
        '  other:',
        '    run: echo',
        '    outputs: {m: {path: models/b.json}}',
        '  folder:',
        '    run: echo',
        '    outputs: [artifacts2]',
        '    model: {name: n, path: artifacts2/model.pkl}',
      );
      assertRule(run(text), 'model-path-not-output', 'error', [[rangeOf(text, 'models/b.json'), "model.path 'models/b.json' is not one of task 'train''s outputs", 'add it to outputs']]);
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
      assertRule(seen(ws.analyze(file)!.diagnostics), 'missing-input', 'warning', [[rangeOf(text, 'data/absent.csv'), "Input 'data/absent.csv' is produced by no task and does not exist", 'fix the path']]);
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
      assertRule(run(text), 'unused-param', 'warning', [
        [rangeOf(text, 'lr'), "Param 'lr' is never used", '${{ params.lr }}', '$MLOPS_PARAM_LR', 'or remove it'],
        [rangeOf(text, 'epochs', 0), "Param 'epochs' is never used"],
        [rangeOf(text, 'batch'), "Param 'batch' is never used"],
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
      assertRule(run(text), 'redundant-need', 'info', [
        [within(text, 'needs: [a, b, b]', 'a'), "'a' is already a dependency because this task reads data/x.csv, which 'a' writes"],
        [within(text, 'needs: [a, b, b]', 'b', 0, 1), "'b' is listed twice in needs; remove the repeat."],
        [within(text, 'needs: [a]', 'a', 1), "'a' is already a dependency because this task references ${{ tasks.a.outputs.x }}"],
      ]);
    });

    it('notes a need implied through another need', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '  b:', '    run: echo', '    needs: [a]', '  c:', '    run: echo', '    needs: [b, a]');
      assertRule(run(text), 'redundant-need', 'info', [[within(text, 'needs: [b, a]', 'a'), "'a' is already implied through 'b', which depends on it; the entry in needs can go."]]);
    });
  });

  describe('string-param-in-run', () => {
    it('warns on each free-text string param pasted into run, on the whole ${{ }}, with a fix to read the variable', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'params:',
        '  msg: {type: string, default: hi}',
        '  who: world',
        '  mode: {type: string, default: a, enum: [a, b]}',
        '  lr: 0.1',
        'tasks:',
        '  a:',
        '    run: echo ${{ params.msg }} "${{params.who}}" ${{ params.mode }} ${{ params.lr }} # ${{ params.msg }}',
        '    env: {M: "${{ params.msg }}"}',
        '  b:',
        '    run: echo `${{ params.who }}`',
      );
      const diags = run(text);
      assertRule(diags, 'string-param-in-run', 'warning', [
        [
          rangeOf(text, '${{ params.msg }}'),
          "String param 'msg' is pasted into the shell command: the agent quotes it as one word, but \"$MLOPS_PARAM_MSG\" keeps its value out of the command's text; read it from the environment instead.",
        ],
        [rangeOf(text, '${{params.who}}'), "String param 'who' is pasted into the shell command", '"$MLOPS_PARAM_WHO"'],
        [
          rangeOf(text, '${{ params.who }}'),
          'String param \'who\' is pasted into the shell command inside backquotes, where it cannot always be quoted: a value with shell characters is refused at run time. Read "$MLOPS_PARAM_WHO" from the environment instead.',
        ],
      ]);
      assert.deepEqual(diags.find((d) => d.code === 'string-param-in-run')!.fixes, [{ kind: 'env-param', param: 'msg' }]);
    });
  });

  describeCoverage('covers the references codes of docs/pipeline-format.md');
});
