import assert from 'node:assert/strict';
import type { DocumentSymbol } from 'vscode-languageserver';
import type { DagResult } from '../../core/src/index';
import { uriOf } from './client';
import { PIPELINE } from './fixtures';
import { useLspWorkspace } from './workspace';

const r = (l1: number, c1: number, l2: number, c2: number) => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });

describe('language server: code lenses, symbols and the DAG request', function () {
  const ws = useLspWorkspace({ open: ['pipeline'] });
  let P: string;
  before(() => (P = uriOf(ws.pipeline)));

  it('puts Run task, Run from here and Show in DAG above every task', async () => {
    const lenses: { range: unknown; command: { title: string; command: string; arguments: unknown[] } }[] = await ws.client.request('textDocument/codeLens', { textDocument: { uri: P } });
    assert.equal(lenses.length, 12);
    assert.deepEqual(lenses.slice(0, 3), [
      { range: r(9, 2, 9, 8), command: { title: 'Run task', command: 'mlops.runTask', arguments: [{ uri: P, task: 'ingest' }] } },
      { range: r(9, 2, 9, 8), command: { title: 'Run from here', command: 'mlops.runFromHere', arguments: [{ uri: P, task: 'ingest' }] } },
      { range: r(9, 2, 9, 8), command: { title: 'Show in DAG', command: 'mlops.showDag', arguments: [{ uri: P, task: 'ingest' }] } },
    ]);
    assert.deepEqual(
      lenses.filter((l) => l.command.command === 'mlops.showDag').map((l) => (l.command.arguments[0] as { task: string }).task),
      ['ingest', 'featurize', 'train', 'report'],
    );
  });

  it('outlines a pipeline: sections, params and tasks with their commands', async () => {
    const symbols: DocumentSymbol[] = await ws.client.request('textDocument/documentSymbol', { textDocument: { uri: P } });
    assert.deepEqual(
      symbols.map((s) => [s.name, s.kind]),
      [
        ['version', 7],
        ['name', 7],
        ['description', 7],
        ['params', 3],
        ['defaults', 19],
        ['tasks', 3],
      ],
    );
    const params = symbols[3]!;
    assert.deepEqual(params.children, [
      { name: 'lr', kind: 13, range: r(4, 2, 4, 63), selectionRange: r(4, 2, 4, 4), detail: 'number' },
      { name: 'epochs', kind: 13, range: r(5, 2, 5, 12), selectionRange: r(5, 2, 5, 8), detail: 'integer' },
    ]);
    const tasks = symbols[5]!;
    assert.equal(tasks.detail, '4 tasks');
    assert.deepEqual(tasks.range, r(8, 0, 24, 29));
    assert.deepEqual(tasks.children![0], { name: 'ingest', kind: 12, range: r(9, 2, 12, 36), selectionRange: r(9, 2, 9, 8), detail: 'python src/ingest.py --out data/transactions.csv' });
    assert.deepEqual(
      tasks.children!.map((c) => c.name),
      ['ingest', 'featurize', 'train', 'report'],
    );
  });

  it('outlines a catalog: entities, sources, views and their features', async () => {
    await ws.client.open(ws.catalog);
    const symbols: DocumentSymbol[] = await ws.client.request('textDocument/documentSymbol', { textDocument: { uri: uriOf(ws.catalog) } });
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['version', 'project', 'entities', 'sources', 'feature_views'],
    );
    const view = symbols[4]!.children![0]!;
    assert.deepEqual([view.name, view.kind, view.detail], ['customer_stats', 5, 'growth']);
    assert.deepEqual(
      view.children!.map((f) => [f.name, f.kind, f.detail]),
      [
        ['avg_spend_30d', 8, 'float64'],
        ['orders_30d', 8, 'int64'],
      ],
    );
  });

  it('finds tasks, params and catalog names across the workspace', async () => {
    const found = await ws.client.request('workspace/symbol', { query: 'stats' });
    assert.deepEqual(found, [{ name: 'customer_stats', kind: 5, containerName: 'churn', location: { uri: uriOf(ws.catalog), range: r(7, 2, 7, 16) } }]);
    const tasks: { name: string; containerName: string }[] = await ws.client.request('workspace/symbol', { query: 'ain' });
    assert.deepEqual(
      tasks.map((s) => [s.name, s.containerName]),
      [
        ['transactions', 'churn'],
        ['train', 'churn-train'],
      ],
    );
  });

  it('answers mlops/dag with nodes, their diagnostics, and declared and inferred edges', async () => {
    const text = PIPELINE.replace('memory: 4Gi', 'memory: 512m');
    await ws.client.replace(ws.pipeline, text);
    const dag: DagResult = await ws.client.request('mlops/dag', { uri: P });
    assert.equal(dag.uri, P);
    assert.deepEqual(
      dag.nodes.map((n) => ({ id: n.id, range: n.range, selectionRange: n.selectionRange, description: n.description, run: n.run, diagnostics: n.diagnostics.map((d) => d.code) })),
      [
        { id: 'ingest', range: r(9, 2, 12, 36), selectionRange: r(9, 2, 9, 8), description: 'Fetch raw events', run: 'python src/ingest.py --out data/transactions.csv', diagnostics: [] },
        { id: 'featurize', range: r(13, 2, 17, 30), selectionRange: r(13, 2, 13, 11), description: undefined, run: 'python src/featurize.py data/transactions.csv', diagnostics: [] },
        {
          id: 'train',
          range: r(18, 2, 21, 39),
          selectionRange: r(18, 2, 18, 7),
          description: undefined,
          run: 'python src/train.py --lr ${{ params.lr }} --epochs ${{ params.epochs }} --data ${{ tasks.featurize.outputs.table }}',
          diagnostics: ['suspicious-quantity'],
        },
        { id: 'report', range: r(22, 2, 24, 29), selectionRange: r(22, 2, 22, 8), description: undefined, run: 'python src/report.py', diagnostics: [] },
      ],
    );
    assert.deepEqual(dag.nodes[2]!.diagnostics[0], {
      code: 'suspicious-quantity',
      severity: 'warning',
      message: "memory '512m' means 0.512 bytes ('m' is milli); did you mean '512Mi'?",
      range: r(21, 34, 21, 38),
    });
    assert.deepEqual(dag.edges, [
      { from: 'ingest', to: 'featurize', kind: 'inferred', reason: 'reads data/transactions.csv' },
      { from: 'featurize', to: 'train', kind: 'inferred', reason: 'references tasks.featurize.outputs.table' },
      { from: 'train', to: 'report', kind: 'declared' },
    ]);
  });

  it('answers mlops/dag for a catalog with an empty graph', async () => {
    assert.deepEqual(await ws.client.request('mlops/dag', { uri: uriOf(ws.catalog) }), { uri: uriOf(ws.catalog), nodes: [], edges: [] });
  });
});
