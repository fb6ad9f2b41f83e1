import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Hover } from 'vscode-languageserver';
import { posOf, repoRoot, uriOf } from './client';
import { CATALOG, PIPELINE } from './fixtures';
import { useLspWorkspace } from './workspace';

const pipelineSchema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'schemas', 'pipeline.schema.json'), 'utf8'));
const featuresSchema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'schemas', 'features.schema.json'), 'utf8'));

const TRAIN = [
  '**task** `train`',
  '```sh\npython src/train.py --lr ${{ params.lr }} --epochs ${{ params.epochs }} --data ${{ tasks.featurize.outputs.table }}\n```',
  '- **also after** (inferred): `featurize`\n- **outputs**: `models/model.json`\n- **resources**: cpu 2, memory 4Gi',
].join('\n\n');

const VIEW = [
  '**feature view** `customer_stats`',
  'Spend and order counts',
  '- **owner**: growth\n- **ttl**: 30d\n- **source**: `transactions`\n- **entities**: `customer`\n- **transformation**: `src/features/customer_stats.py:compute`',
  '**features**\n- `avg_spend_30d`: float64 — Mean spend in the last 30 days\n- `orders_30d`: int64',
  'Defined in churn.features.yaml',
].join('\n\n');

describe('language server: hover', function () {
  const ws = useLspWorkspace({ open: ['pipeline', 'catalog'] });

  const hover = (file: string, text: string, needle: string, delta: number, nth = 0): Promise<Hover | null> =>
    ws.client.request('textDocument/hover', { textDocument: { uri: uriOf(file) }, position: posOf(text, needle, delta, nth) });
  const line = (l: number, a: number, b: number) => ({ start: { line: l, character: a }, end: { line: l, character: b } });

  it('shows a task: command, dependencies, outputs and resources, on its id and on a need', async () => {
    assert.deepEqual(await hover(ws.pipeline, PIPELINE, 'train:', 1), { contents: { kind: 'markdown', value: TRAIN }, range: line(18, 2, 7) });
    assert.deepEqual(await hover(ws.pipeline, PIPELINE, 'needs: [train]', 9), { contents: { kind: 'markdown', value: TRAIN }, range: line(23, 12, 17) });
  });

  it('shows declared needs, inputs and the description of a task', async () => {
    const h = await hover(ws.pipeline, PIPELINE, 'featurize:', 1);
    assert.equal(
      (h!.contents as { value: string }).value,
      ['**task** `featurize`', '```sh\npython src/featurize.py data/transactions.csv\n```', '- **also after** (inferred): `ingest`\n- **inputs**: `data/transactions.csv`\n- **outputs**: `table: data/features.csv`'].join(
        '\n\n',
      ),
    );
    const report = await hover(ws.pipeline, PIPELINE, 'report:', 1);
    assert.equal((report!.contents as { value: string }).value, '**task** `report`\n\n```sh\npython src/report.py\n```\n\n- **needs**: `train`');
    const ingest = await hover(ws.pipeline, PIPELINE, 'ingest:', 1);
    assert.match((ingest!.contents as { value: string }).value, /^\*\*task\*\* `ingest`\n\nFetch raw events\n\n```sh\n/);
  });

  it('shows a param: type, default, description and how to use it', async () => {
    const value = '**param** `lr`: number = `0.05`\n\nlearning rate\n\nUse as `${{ params.lr }}` or `$MLOPS_PARAM_LR`.';
    assert.deepEqual(await hover(ws.pipeline, PIPELINE, 'params.lr', 8), { contents: { kind: 'markdown', value }, range: line(19, 45, 47) });
    assert.deepEqual(await hover(ws.pipeline, PIPELINE, '  lr:', 2), { contents: { kind: 'markdown', value }, range: line(4, 2, 4) });
  });

  it('shows a feature view: features, owner, ttl and source, from a pipeline and in its catalog', async () => {
    assert.deepEqual(await hover(ws.pipeline, PIPELINE, 'customer_stats', 2), { contents: { kind: 'markdown', value: VIEW }, range: line(17, 15, 29) });
    assert.deepEqual(await hover(ws.catalog, CATALOG, 'customer_stats:', 2), { contents: { kind: 'markdown', value: VIEW }, range: line(7, 2, 16) });
  });

  it('shows an output referenced by ${{ tasks.ID.outputs.NAME }}', async () => {
    assert.deepEqual(await hover(ws.pipeline, PIPELINE, 'outputs.table', 9), {
      contents: { kind: 'markdown', value: '**output** `table` of task `featurize`: `data/features.csv`' },
      range: line(19, 116, 121),
    });
  });

  it('shows sources and entities in a catalog', async () => {
    assert.deepEqual(await hover(ws.catalog, CATALOG, 'source: transactions', 10), {
      contents: { kind: 'markdown', value: '**source** `transactions`\n\nRaw card events\n\n- **path**: `data/transactions.csv`\n- **timestamp field**: `event_ts`' },
      range: line(10, 12, 24),
    });
    assert.deepEqual(await hover(ws.catalog, CATALOG, 'entities: [customer]', 12), {
      contents: { kind: 'markdown', value: '**entity** `customer`\n\nA paying account\n\n- **join keys**: `customer_id`' },
      range: line(9, 15, 23),
    });
  });

  it('shows the schema title and description for keys', async () => {
    const executor = pipelineSchema.$defs.taskSettings.properties.executor;
    assert.deepEqual(await hover(ws.pipeline, PIPELINE, 'executor: local', 2), {
      contents: { kind: 'markdown', value: `**${executor.title}**\n\n${executor.description}` },
      range: line(7, 2, 10),
    });
    const ttl = featuresSchema.$defs.featureView.properties.ttl;
    assert.deepEqual(await hover(ws.catalog, CATALOG, 'ttl: 30d', 1), { contents: { kind: 'markdown', value: `**${ttl.title}**\n\n${ttl.description}` }, range: line(11, 4, 7) });
  });

  it('returns nothing on plain values', async () => {
    assert.equal(await hover(ws.pipeline, PIPELINE, 'python src/report.py', 3), null);
  });
});
