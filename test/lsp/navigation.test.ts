import assert from 'node:assert/strict';
import * as path from 'node:path';
import { applyEdits, posOf, uriOf } from './client';
import { CATALOG, PIPELINE, PROJECT } from './fixtures';
import { useLspWorkspace } from './workspace';

const OTHER = 'version: 1\nname: other\ntasks:\n  a:\n    run: "true"\n    features: [customer_stats.orders_30d]\n';

describe('language server: definition, references, rename', function () {
  const ws = useLspWorkspace({ files: { ...PROJECT, 'jobs/other.pipeline.yaml': OTHER }, open: ['pipeline', 'catalog'] });
  let other: string;
  let P: string;
  let C: string;
  let O: string;

  before(() => {
    other = path.join(ws.root, 'jobs', 'other.pipeline.yaml');
    [P, C, O] = [uriOf(ws.pipeline), uriOf(ws.catalog), uriOf(other)];
  });

  const at = <R>(method: string, file: string, text: string, needle: string, delta: number, extra: object = {}): Promise<R> =>
    ws.client.request(method, { textDocument: { uri: uriOf(file) }, position: posOf(text, needle, delta), ...extra });
  const line = (l: number, a: number, b: number) => ({ start: { line: l, character: a }, end: { line: l, character: b } });

  it('goes from a need, a ${{ tasks. }} reference and a param reference to their declarations', async () => {
    assert.deepEqual(await at('textDocument/definition', ws.pipeline, PIPELINE, 'needs: [train]', 9), [{ uri: P, range: line(18, 2, 7) }]);
    assert.deepEqual(await at('textDocument/definition', ws.pipeline, PIPELINE, 'tasks.featurize', 8), [{ uri: P, range: line(13, 2, 11) }]);
    assert.deepEqual(await at('textDocument/definition', ws.pipeline, PIPELINE, 'params.lr', 8), [{ uri: P, range: line(4, 2, 4) }]);
    assert.deepEqual(await at('textDocument/definition', ws.pipeline, PIPELINE, 'outputs.table', 9), [{ uri: P, range: line(16, 14, 19) }]);
  });

  it('goes from a feature view or feature in a pipeline to the catalog, and from a view to its entity and source', async () => {
    assert.deepEqual(await at('textDocument/definition', ws.pipeline, PIPELINE, 'customer_stats', 2), [{ uri: C, range: line(7, 2, 16) }]);
    assert.deepEqual(await at('textDocument/definition', ws.catalog, CATALOG, 'entities: [customer]', 12), [{ uri: C, range: line(3, 2, 10) }]);
    assert.deepEqual(await at('textDocument/definition', ws.catalog, CATALOG, 'source: transactions', 9), [{ uri: C, range: line(5, 2, 14) }]);
  });

  it('finds the references of a task id', async () => {
    const refs = await at('textDocument/references', ws.pipeline, PIPELINE, 'featurize:', 2, { context: { includeDeclaration: true } });
    assert.deepEqual(refs, [
      { uri: P, range: line(13, 2, 11) },
      { uri: P, range: line(19, 98, 107) },
    ]);
    const noDecl = await at('textDocument/references', ws.pipeline, PIPELINE, 'featurize:', 2, { context: { includeDeclaration: false } });
    assert.deepEqual(noDecl, [{ uri: P, range: line(19, 98, 107) }]);
  });

  it('finds the references of a feature view across pipelines, open or not', async () => {
    const refs = await at('textDocument/references', ws.catalog, CATALOG, 'customer_stats:', 2, { context: { includeDeclaration: true } });
    assert.deepEqual(refs, [
      { uri: C, range: line(7, 2, 16) },
      { uri: P, range: line(17, 15, 29) },
      { uri: O, range: line(5, 15, 29) },
    ]);
  });

  it('prepares a rename with the name under the cursor, and refuses plain text', async () => {
    assert.deepEqual(await at('textDocument/prepareRename', ws.pipeline, PIPELINE, 'needs: [train]', 10), { range: line(23, 12, 17), placeholder: 'train' });
    assert.equal(await at('textDocument/prepareRename', ws.pipeline, PIPELINE, 'python src/report.py', 2), null);
  });

  it('renames a feature view in the catalog and in every pipeline that reads it', async () => {
    const edit = await at<{ changes: Record<string, unknown[]> }>('textDocument/rename', ws.catalog, CATALOG, 'customer_stats:', 2, { newName: 'customer_spend' });
    assert.deepEqual(edit, {
      changes: {
        [C]: [{ range: line(7, 2, 16), newText: 'customer_spend' }],
        [P]: [{ range: line(17, 15, 29), newText: 'customer_spend' }],
        [O]: [{ range: line(5, 15, 29), newText: 'customer_spend' }],
      },
    });
  });

  it('renames a feature view from its use in a pipeline, keeping view.feature intact', async () => {
    const edit = await at<{ changes: Record<string, { range: unknown; newText: string }[]> }>('textDocument/rename', ws.pipeline, PIPELINE, 'customer_stats', 3, { newName: 'spend' });
    assert.deepEqual(Object.keys(edit.changes).sort(), [C, P, O].sort());
    assert.equal(applyEdits(OTHER, edit.changes[O] as never), OTHER.replace('customer_stats.orders_30d', 'spend.orders_30d'));
  });

  it('renames a task id in its key, needs and references', async () => {
    const edit = await at<{ changes: Record<string, never[]> }>('textDocument/rename', ws.pipeline, PIPELINE, 'train:', 1, { newName: 'fit' });
    assert.deepEqual(edit, {
      changes: {
        [P]: [
          { range: line(18, 2, 7), newText: 'fit' },
          { range: line(23, 12, 17), newText: 'fit' },
        ],
      },
    });
    const renamed = await at<{ changes: Record<string, never[]> }>('textDocument/rename', ws.pipeline, PIPELINE, 'featurize', 8, { newName: 'features' });
    assert.equal(applyEdits(PIPELINE, renamed.changes[P]!), PIPELINE.replace('  featurize:', '  features:').replace('tasks.featurize.outputs', 'tasks.features.outputs'));
  });

  it('renames a param, including its MLOPS_PARAM_ environment variable', async () => {
    const text = PIPELINE.replace('python src/report.py', 'python src/report.py --lr $MLOPS_PARAM_LR');
    await ws.client.replace(ws.pipeline, text);
    const edit = await at<{ changes: Record<string, never[]> }>('textDocument/rename', ws.pipeline, text, 'params.lr', 8, { newName: 'rate' });
    assert.equal(applyEdits(text, edit.changes[P]!), text.replace('  lr:', '  rate:').replace('params.lr', 'params.rate').replace('MLOPS_PARAM_LR', 'MLOPS_PARAM_RATE'));
    await ws.client.replace(ws.pipeline, PIPELINE);
  });

  it('refuses a rename to an invalid or taken name, saying why', async () => {
    await assert.rejects(at('textDocument/rename', ws.pipeline, PIPELINE, 'params.lr', 8, { newName: 'epochs' }), { message: "A param named 'epochs' already exists; choose another name." });
    await assert.rejects(at('textDocument/rename', ws.pipeline, PIPELINE, 'train:', 1, { newName: 'Train Model' }), {
      message: "'Train Model' is not a valid task id: use lower-case letters, digits, '-' and '_', starting and ending with a letter or digit.",
    });
  });
});
