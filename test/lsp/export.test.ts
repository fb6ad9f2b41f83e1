import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver';
import { EXPORT_CODES } from '../../core/src/index';
import { rangeOf } from '../core/helpers';
import { LspClient, makeWorkspace, uriOf } from './client';

/** One pipeline with something for every export code, and one ordinary problem (unused-param). */
function pipeline(root: string): string {
  return [
    'version: 1',
    'name: exported',
    'schedule: [{cron: "0 3 * * *", timezone: Europe/Berlin}, {cron: "0 4 * * *", timezone: Asia/Tokyo}]',
    'params:',
    '  unused: 1',
    'tasks:',
    '  prep_data:',
    '    run: echo ${{ env.HOME }} $MLOPS_SECRET',
    '    image: busybox:1.36',
    '  prep-data:',
    '    image: busybox:1.36',
    `    run: python ${root}/train.py`,
    '    retries: {limit: 2, backoff: 10s, factor: 1.5}',
    '    outputs: [m.json]',
    '    model: {name: m, path: m.json, framework: custom}',
    '  bare:',
    '    run: "true"',
    '',
  ].join('\n');
}

describe('language server: export checks (mlops.export.target)', function () {
  this.timeout(60_000);
  let root: string;
  let client: LspClient;
  let file: string;
  let text: string;
  const settings: { mlops: { export: { target: string } } } = { mlops: { export: { target: 'argo' } } };

  before(async () => {
    root = makeWorkspace({});
    file = path.join(root, 'exported.pipeline.yaml');
    text = pipeline(root);
    fs.writeFileSync(file, text);
    client = await LspClient.start({ root, settings });
  });
  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const brief = (diags: Diagnostic[]) => diags.map((d) => ({ code: d.code, severity: d.severity, range: d.range }));

  it('with argo, publishes every export code on its exact range, beside the ordinary diagnostics, with the status counting them', async () => {
    const status = client.nextStatus(uriOf(file));
    const diags = await client.open(file, text);
    const on = (needle: string, nth = 0) => rangeOf(text, needle, nth);
    assert.deepEqual(brief(diags), [
      { code: 'export-unsupported', severity: 1, range: on('Asia/Tokyo') },
      { code: 'unused-param', severity: 2, range: on('unused') },
      { code: 'export-id-clash', severity: 1, range: on('prep_data') },
      { code: 'export-host-env', severity: 1, range: on('${{ env.HOME }}') },
      { code: 'export-unset-env', severity: 2, range: on('MLOPS_SECRET') },
      { code: 'export-id-clash', severity: 1, range: on('prep-data') },
      { code: 'export-local-path', severity: 1, range: on(`${root}/train.py`) },
      { code: 'export-unsupported', severity: 1, range: on('1.5') },
      { code: 'export-lossy', severity: 2, range: on('model') },
      { code: 'export-no-image', severity: 1, range: on('bare') },
    ]);
    assert.deepEqual([...new Set(diags.map((d) => d.code).filter((c) => String(c).startsWith('export-')))].sort(), [...EXPORT_CODES].sort());
    assert.match(String(diags.find((d) => d.code === 'export-no-image')!.message), /^Task 'bare' has no image, and Argo Workflows runs every task in a container\./);
    const s = await status;
    assert.deepEqual([s.errors, s.warnings], [7, 3]);
  });

  it('with none (the default), the same file has only its ordinary diagnostics; back to argo, they return', async () => {
    const uri = uriOf(file);
    settings.mlops.export.target = 'none';
    const off = client.nextDiagnostics(uri, (d) => !d.some((x) => String(x.code).startsWith('export-')));
    await client.notify('workspace/didChangeConfiguration', { settings: {} });
    assert.deepEqual(
      brief(await off).map((d) => d.code),
      ['unused-param'],
    );
    settings.mlops.export.target = 'argo';
    const on = client.nextDiagnostics(uri, (d) => d.some((x) => String(x.code).startsWith('export-')));
    await client.notify('workspace/didChangeConfiguration', { settings: {} });
    assert.equal((await on).length, 10);
  });

  it('follows edits: giving the bare task an image removes its export-no-image', async () => {
    const fixed = text.replace('  bare:\n    run: "true"\n', '  bare:\n    run: "true"\n    image: busybox:1.36\n');
    const diags = await client.replace(file, fixed);
    assert.equal(diags.filter((d) => d.code === 'export-no-image').length, 0);
    assert.equal(diags.length, 9);
  });
});
