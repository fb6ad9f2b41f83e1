import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CompletionItem } from 'vscode-languageserver';
import { posOf, repoRoot, uriOf } from './client';
import { CATALOG, PIPELINE } from './fixtures';
import { useLspWorkspace } from './workspace';

const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'schemas', 'pipeline.schema.json'), 'utf8'));

describe('language server: completion', function () {
  const ws = useLspWorkspace({ open: ['pipeline', 'catalog'] });

  /** Puts `text` in the document and asks for completions at `needle` + `delta`. */
  async function complete(file: string, text: string, needle: string, delta: number): Promise<CompletionItem[]> {
    await ws.client.replace(file, text);
    return ws.client.request('textDocument/completion', { textDocument: { uri: uriOf(file) }, position: posOf(text, needle, delta) });
  }

  const labels = (items: CompletionItem[]) => items.map((i) => i.label);
  const edits = (items: CompletionItem[]) => items.map((i) => (i.textEdit as { newText: string }).newText);

  it('offers the keys a task may still have, with the schema title and description', async () => {
    const text = PIPELINE.replace('    outputs: [data/transactions.csv]\n', '    outputs: [data/transactions.csv]\n    ca\n');
    const items = await complete(ws.pipeline, text, '    ca\n', 6);
    assert.deepEqual(labels(items), ['needs', 'inputs', 'model', 'executor', 'slurm', 'image', 'resources', 'retries', 'timeout', 'env', 'cache', 'workdir', 'features']);
    const cache = items.find((i) => i.label === 'cache')!;
    assert.deepEqual(cache, {
      label: 'cache',
      kind: 10,
      sortText: '010',
      detail: 'Cache',
      documentation: { kind: 'markdown', value: schema.$defs.taskSettings.properties.cache.description },
      textEdit: { range: { start: { line: 13, character: 4 }, end: { line: 13, character: 6 } }, newText: 'cache: ' },
    });
  });

  it('offers top-level keys not yet written', async () => {
    const text = PIPELINE.replace('defaults:\n', 'sch\ndefaults:\n');
    const items = await complete(ws.pipeline, text, 'sch\n', 3);
    assert.deepEqual(labels(items), ['schedule']);
    assert.equal(items[0]!.detail, 'Schedule');
  });

  it('offers enum values', async () => {
    const items = await complete(ws.pipeline, PIPELINE.replace('executor: local', 'executor: d'), 'executor: d', 11);
    assert.deepEqual(items, [
      { label: 'local', kind: 20, textEdit: { range: { start: { line: 7, character: 12 }, end: { line: 7, character: 13 } }, newText: 'local' } },
      { label: 'docker', kind: 20, textEdit: { range: { start: { line: 7, character: 12 }, end: { line: 7, character: 13 } }, newText: 'docker' } },
      { label: 'slurm', kind: 20, textEdit: { range: { start: { line: 7, character: 12 }, end: { line: 7, character: 13 } }, newText: 'slurm' } },
    ]);
  });

  it('offers task ids inside needs, without the task itself and ids already listed', async () => {
    const items = await complete(ws.pipeline, PIPELINE.replace('needs: [train]', 'needs: [train, ]'), 'needs: [train, ]', 15);
    assert.deepEqual(items, [
      {
        label: 'ingest',
        kind: 18,
        detail: 'python src/ingest.py --out data/transactions.csv',
        documentation: 'Fetch raw events',
        textEdit: { range: { start: { line: 23, character: 19 }, end: { line: 23, character: 19 } }, newText: 'ingest' },
      },
      { label: 'featurize', kind: 18, detail: 'python src/featurize.py data/transactions.csv', textEdit: { range: { start: { line: 23, character: 19 }, end: { line: 23, character: 19 } }, newText: 'featurize' } },
    ]);
  });

  it('wraps a task id in a list when needs has no list yet', async () => {
    const items = await complete(ws.pipeline, PIPELINE.replace('needs: [train]', 'needs: '), 'needs: ', 7);
    assert.deepEqual(edits(items), ['[ingest]', '[featurize]', '[train]']);
  });

  it('offers block-list items in needs', async () => {
    const items = await complete(ws.pipeline, PIPELINE.replace('    needs: [train]\n', '    needs:\n      - tr\n'), '      - tr', 10);
    assert.deepEqual(labels(items), ['ingest', 'featurize', 'train']);
  });

  it('offers the roots inside ${{ }}', async () => {
    const text = PIPELINE.replace('--data ${{ tasks.featurize.outputs.table }}', '--data ${{ t }}');
    const items = await complete(ws.pipeline, text, '${{ t }}', 5);
    assert.deepEqual(labels(items), ['params', 'tasks', 'inputs', 'outputs', 'run', 'env']);
    assert.deepEqual(items[1]!.textEdit, { range: { start: { line: 19, character: 92 }, end: { line: 19, character: 93 } }, newText: 'tasks' });
  });

  it('offers params with their type and default inside ${{ params. }}', async () => {
    const items = await complete(ws.pipeline, PIPELINE.replace('--lr ${{ params.lr }}', '--lr ${{ params.l }}'), '${{ params.l', 12);
    assert.deepEqual(items, [
      { label: 'lr', kind: 6, detail: 'number = 0.05', documentation: 'learning rate', textEdit: { range: { start: { line: 19, character: 45 }, end: { line: 19, character: 46 } }, newText: 'lr' } },
      { label: 'epochs', kind: 6, detail: 'integer = 20', textEdit: { range: { start: { line: 19, character: 45 }, end: { line: 19, character: 46 } }, newText: 'epochs' } },
    ]);
  });

  it('offers other tasks, then outputs, then their output names inside ${{ tasks. }}', async () => {
    const tasks = await complete(ws.pipeline, PIPELINE.replace('${{ tasks.featurize.outputs.table }}', '${{ tasks. }}'), '${{ tasks. }}', 10);
    assert.deepEqual(labels(tasks), ['ingest', 'featurize', 'report']);
    const outputs = await complete(ws.pipeline, PIPELINE.replace('${{ tasks.featurize.outputs.table }}', '${{ tasks.featurize. }}'), '${{ tasks.featurize. }}', 20);
    assert.deepEqual(labels(outputs), ['outputs']);
    const names = await complete(ws.pipeline, PIPELINE.replace('${{ tasks.featurize.outputs.table }}', '${{ tasks.featurize.outputs. }}'), 'outputs. }}', 8);
    assert.deepEqual(names, [{ label: 'table', kind: 17, detail: 'data/features.csv', textEdit: { range: { start: { line: 19, character: 116 }, end: { line: 19, character: 116 } }, newText: 'table' } }]);
  });

  it('offers feature views and their features inside features:', async () => {
    const items = await complete(ws.pipeline, PIPELINE.replace('features: [customer_stats]', 'features: [cu]'), 'features: [cu]', 13);
    const range = { start: { line: 17, character: 15 }, end: { line: 17, character: 17 } };
    assert.deepEqual(items, [
      { label: 'customer_stats', kind: 9, detail: 'feature view', documentation: 'Spend and order counts', textEdit: { range, newText: 'customer_stats' } },
      { label: 'customer_stats.avg_spend_30d', kind: 5, detail: 'feature: float64', documentation: 'Mean spend in the last 30 days', textEdit: { range, newText: 'customer_stats.avg_spend_30d' } },
      { label: 'customer_stats.orders_30d', kind: 5, detail: 'feature: int64', textEdit: { range, newText: 'customer_stats.orders_30d' } },
    ]);
    const only = await complete(ws.pipeline, PIPELINE.replace('features: [customer_stats]', 'features: [customer_stats.o]'), 'features: [customer_stats.o]', 26);
    assert.deepEqual(labels(only), ['customer_stats.avg_spend_30d', 'customer_stats.orders_30d']);
  });

  it('offers a snippet for a new task under tasks', async () => {
    const items = await complete(ws.pipeline, PIPELINE.replace('tasks:\n', 'tasks:\n  \n'), 'tasks:\n  \n', 9);
    assert.deepEqual(items, [
      {
        label: 'new task',
        kind: 15,
        detail: 'A task with run, needs and outputs',
        insertTextFormat: 2,
        textEdit: { range: { start: { line: 9, character: 2 }, end: { line: 9, character: 2 } }, newText: '${1:task-id}:\n  run: ${2:command}\n  needs: [$3]\n  outputs: [$4]' },
      },
    ]);
  });

  it('offers entity and source names and feature types in a catalog', async () => {
    const entities = await complete(ws.catalog, CATALOG.replace('entities: [customer]', 'entities: [c]'), 'entities: [c]', 12);
    assert.deepEqual(entities, [{ label: 'customer', kind: 22, detail: 'entity', textEdit: { range: { start: { line: 9, character: 15 }, end: { line: 9, character: 16 } }, newText: 'customer' } }]);
    const sources = await complete(ws.catalog, CATALOG.replace('source: transactions', 'source: t'), 'source: t', 9);
    assert.deepEqual(sources, [{ label: 'transactions', kind: 8, detail: 'source', textEdit: { range: { start: { line: 10, character: 12 }, end: { line: 10, character: 13 } }, newText: 'transactions' } }]);
    const types = await complete(ws.catalog, CATALOG.replace('orders_30d: int64', 'orders_30d: i'), 'orders_30d: i', 13);
    assert.deepEqual(labels(types), ['int32', 'int64', 'float32', 'float64', 'bool', 'string', 'bytes', 'timestamp']);
  });

  it('offers the keys of a feature view', async () => {
    const text = CATALOG.replace('    owner: growth\n', '    owner: growth\n    t\n');
    const items = await complete(ws.catalog, text, '    t\n', 5);
    assert.deepEqual(labels(items), ['tags']);
  });
});
