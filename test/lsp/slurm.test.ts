import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CompletionItem, Diagnostic, Hover } from 'vscode-languageserver';
import { posOf, repoRoot, uriOf } from './client';
import { PIPELINE } from './fixtures';
import { useLspWorkspace } from './workspace';

const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'schemas', 'pipeline.schema.json'), 'utf8'));

/** The fixture with its tasks on Slurm: a slurm block under defaults, one on train. */
const SLURM = PIPELINE.replace('  executor: local\n', '  executor: slurm\n  slurm: {partition: gpu, args: [--mail-type=FAIL]}\n').replace(
  '    resources: {cpu: "2", memory: 4Gi}\n',
  '    resources: {cpu: "2", memory: 4Gi}\n    image: python:3.12-slim\n    slurm:\n      qos: high\n      args: [--mem=8G, --output=train.log]\n',
);

describe('language server: the slurm executor', function () {
  const ws = useLspWorkspace({ open: ['pipeline'] });
  const range = (l: number, a: number, b: number) => ({ start: { line: l, character: a }, end: { line: l, character: b } });

  it('publishes slurm-arg errors and the unused image warning, each on its value', async () => {
    const diags = (await ws.client.replace(ws.pipeline, SLURM)) as Diagnostic[];
    const brief = diags.map((d) => ({ code: d.code, severity: d.severity, range: d.range, message: d.message }));
    const args = posOf(SLURM, '--mem=8G');
    const image = posOf(SLURM, 'python:3.12-slim');
    assert.deepEqual(brief, [
      {
        code: 'unused-setting',
        severity: 2,
        range: range(image.line, image.character, image.character + 'python:3.12-slim'.length),
        message: "Task 'train' runs on Slurm, which does not use image: the job runs on the cluster's nodes as they are. Remove it, or run the task with executor: docker.",
      },
      {
        code: 'slurm-arg',
        severity: 1,
        range: range(args.line, args.character, args.character + '--mem=8G'.length),
        message: "--mem contradicts the task's resources.memory, which mlops passes to sbatch; remove one of them.",
      },
      {
        code: 'slurm-arg',
        severity: 1,
        range: range(args.line, args.character + 10, args.character + 10 + '--output=train.log'.length),
        message: "--output is set by mlops (the job's output goes to the task's log under .mlops/runs/); remove it.",
      },
    ]);
  });

  it('completes the keys of a slurm block with their schema titles', async () => {
    const text = SLURM.replace('      qos: high\n', '      qos: high\n      pa\n');
    await ws.client.replace(ws.pipeline, text);
    const items: CompletionItem[] = await ws.client.request('textDocument/completion', { textDocument: { uri: uriOf(ws.pipeline) }, position: posOf(text, '      pa\n', 8) });
    assert.deepEqual(
      items.map((i) => [i.label, i.detail]),
      [
        ['partition', 'Partition'],
        ['account', 'Account'],
        ['constraint', 'Node constraint'],
        ['nodes', 'Nodes'],
      ],
    );
  });

  it('shows the schema description on hover over a slurm key', async () => {
    await ws.client.replace(ws.pipeline, SLURM);
    const h: Hover = await ws.client.request('textDocument/hover', { textDocument: { uri: uriOf(ws.pipeline) }, position: posOf(SLURM, 'qos: high', 1) });
    const qos = schema.$defs.slurm.properties.qos;
    const at = posOf(SLURM, 'qos: high');
    assert.deepEqual(h, { contents: { kind: 'markdown', value: `**${qos.title}**\n\n${qos.description}` }, range: range(at.line, at.character, at.character + 3) });
  });
});
