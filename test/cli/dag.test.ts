import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// Compiled to out/test/cli/, so the repository root is three levels up.
const REPO = path.resolve(__dirname, '../../..');
const MLOPS = path.join(REPO, 'bin', 'mlops.js');
const CHURN = path.join('examples', 'churn', 'churn.pipeline.yaml');

/** Runs the real `mlops` binary (the bundled dist/agent.js) in `cwd`. */
function mlops(args: string[], cwd = REPO) {
  const r = spawnSync(process.execPath, [MLOPS, ...args], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('mlops dag', function () {
  this.timeout(60_000);
  let tmp: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-dag-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function write(name: string, text: string): string {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, text);
    return file;
  }

  it('prints the churn example as JSON: every task with its facts, declared and inferred edges with reasons', () => {
    const r = mlops(['dag', CHURN, '--format', 'json']);
    assert.equal(r.code, 0, r.err);
    const g = JSON.parse(r.out);
    assert.equal(g.pipeline, 'churn-train');
    assert.equal(g.file, CHURN);
    assert.deepEqual(
      g.nodes.map((n: { id: string }) => n.id),
      ['ingest', 'featurize', 'train', 'evaluate', 'report'],
    );
    const train = g.nodes.find((n: { id: string }) => n.id === 'train');
    assert.equal(train.line, 43);
    assert.deepEqual(train.params, ['lr', 'epochs', 'seed']);
    assert.deepEqual(train.resources, { cpu: '1', memory: '1Gi', gpu: '0' });
    assert.deepEqual(train.outputs, [
      { name: 'model', path: 'models/churn.json', kind: 'model' },
      { name: 'metrics', path: 'reports/metrics.json', kind: 'metrics' },
    ]);
    assert.equal(train.model, 'churn-classifier');
    assert.deepEqual(g.nodes.find((n: { id: string }) => n.id === 'featurize').features, ['customer_stats']);
    assert.deepEqual(g.edges.map((e: { from: string; to: string; kind: string }) => `${e.from}>${e.to}:${e.kind}`).sort(), [
      'evaluate>report:declared',
      'featurize>evaluate:inferred',
      'featurize>train:inferred',
      'ingest>featurize:inferred',
      'train>evaluate:inferred',
      'train>report:inferred',
    ]);
    const byRef = g.edges.find((e: { from: string; to: string }) => e.from === 'featurize' && e.to === 'train');
    assert.equal(byRef.reason, 'references tasks.featurize.outputs.table');
    assert.equal(g.edges.find((e: { kind: string }) => e.kind === 'declared').reason, undefined);
    assert.ok(
      g.nodes.every((n: { diagnostics: unknown[] }) => n.diagnostics.length === 0),
      'the example has no problems (its feature catalog is found)',
    );
  });

  it('defaults to JSON and prints Graphviz DOT with dashed inferred edges', () => {
    assert.deepEqual(JSON.parse(mlops(['dag', CHURN]).out).nodes.length, 5);
    const r = mlops(['dag', CHURN, '--format', 'dot', '--direction', 'LR']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^digraph "churn-train" \{\n  rankdir=LR;/);
    assert.match(r.out, /\n  "evaluate" -> "report";\n/);
    assert.match(r.out, /\n  "ingest" -> "featurize" \[style=dashed, tooltip="reads data\/raw\/customers\.csv"\];\n/);
    assert.equal((r.out.match(/ -> /g) ?? []).length, 6);
    assert.ok(r.out.trimEnd().endsWith('}'));
  });

  it('prints a Mermaid flowchart, with safe ids for task ids Mermaid would misread', () => {
    const r = mlops(['dag', CHURN, '--format', 'mermaid']);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trimEnd().split('\n');
    assert.equal(lines[0], 'flowchart TD');
    assert.ok(lines.includes('  ingest["ingest"]'));
    assert.ok(lines.includes('  evaluate --> report'));
    assert.ok(lines.includes('  ingest -.-> featurize'));

    const file = write('odd.pipeline.yaml', ['version: 1', 'name: odd', 'tasks:', '  end: {run: "true"}', '  load-data: {run: "true", needs: [end]}', ''].join('\n'));
    const odd = mlops(['dag', file, '--format', 'mermaid']);
    assert.equal(odd.code, 0, odd.err);
    assert.deepEqual(odd.out.trimEnd().split('\n'), ['flowchart TD', '  t1["end"]', '  t2["load-data"]', '  t1 --> t2']);
  });

  it('still prints the graph of a file with errors, and exits 1 saying so', () => {
    const file = write('broken.pipeline.yaml', ['version: 1', 'name: broken', 'tasks:', '  a: {run: "true", needs: [b]}', '  b: {run: "true", needs: [a]}', ''].join('\n'));
    const r = mlops(['dag', file]);
    assert.equal(r.code, 1);
    const g = JSON.parse(r.out);
    assert.deepEqual(g.edges.map((e: { from: string; to: string }) => `${e.from}>${e.to}`).sort(), ['a>b', 'b>a']);
    assert.equal(g.nodes[0].diagnostics[0].code, 'cycle');
    assert.match(r.err, /has 1 error; the graph shows what could be read/);
  });

  it('refuses wrong usage with exit code 2', () => {
    const none = mlops(['dag']);
    assert.equal(none.code, 2);
    assert.match(none.err, /Name exactly one pipeline file/);
    const fmt = mlops(['dag', CHURN, '--format', 'png']);
    assert.equal(fmt.code, 2);
    assert.match(fmt.err, /--format must be one of json, dot, mermaid/);
    const missing = mlops(['dag', 'nope.pipeline.yaml']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /nope\.pipeline\.yaml: no such file/);
    const features = mlops(['dag', path.join('examples', 'churn', 'churn.features.yaml')]);
    assert.equal(features.code, 2);
    assert.match(features.err, /not a \*\.pipeline\.yaml file/);
  });
});
