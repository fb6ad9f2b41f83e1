import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { posOf, uriOf } from './client';
import { CATALOG, PIPELINE } from './fixtures';
import { waitFor } from '../wait';
import { useLspWorkspace } from './workspace';

type Diag = { code?: string | number; message: string; range: { start: { line: number; character: number }; end: { line: number; character: number } }; severity?: number };
const brief = (ds: Diag[]) => ds.map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.code}`);

describe('language server: lifecycle and diagnostics', function () {
  const ws = useLspWorkspace({ each: true });

  it('announces its capabilities on initialize', () => {
    const caps = ws.client.initializeResult.capabilities;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2, save: { includeText: false } });
    assert.deepEqual(caps.completionProvider, { triggerCharacters: ['.', '[', ',', '{'] });
    assert.deepEqual(caps.renameProvider, { prepareProvider: true });
    assert.deepEqual(caps.codeActionProvider, { codeActionKinds: ['quickfix'] });
    assert.equal(caps.hoverProvider, true);
    assert.equal(caps.definitionProvider, true);
    assert.equal(caps.referencesProvider, true);
    assert.equal(caps.documentSymbolProvider, true);
    assert.equal(caps.workspaceSymbolProvider, true);
    assert.deepEqual(caps.codeLensProvider, { resolveProvider: false });
    assert.deepEqual(ws.client.initializeResult.serverInfo, { name: 'mlops-language-server', version: '0.1.0' });
  });

  it('registers file watchers for project files and other files', async () => {
    await waitFor('two capability registrations', () => ws.client.registrations.length >= 2, 10_000);
    const watch = ws.client.registrations.find((r) => (r as { method: string }).method === 'workspace/didChangeWatchedFiles') as { registerOptions: unknown };
    assert.deepEqual(watch.registerOptions, { watchers: [{ globPattern: '**/*.{pipeline,features}.{yaml,yml}' }, { globPattern: '**/*' }] });
  });

  it('publishes no diagnostics for a clean pipeline on open, with the catalog read from disk', async () => {
    const status = ws.client.nextStatus(uriOf(ws.pipeline));
    assert.deepEqual(await ws.client.open(ws.pipeline), []);
    assert.deepEqual(await status, { uri: uriOf(ws.pipeline), kind: 'pipeline', name: 'churn-train', count: 4, errors: 0, warnings: 0, infos: 0 });
  });

  it('republishes after an incremental change, with the exact range and message', async () => {
    await ws.client.open(ws.pipeline);
    const at = posOf(PIPELINE, 'needs: [train]', 8);
    const diags = await ws.client.edit(ws.pipeline, { start: at, end: { line: at.line, character: at.character + 'train'.length } }, 'trian');
    assert.deepEqual(diags, [
      {
        range: { start: { line: 23, character: 12 }, end: { line: 23, character: 17 } },
        severity: 1,
        code: 'unknown-need',
        source: 'mlops',
        message: "Task 'report' needs 'trian', but no task has that id. Did you mean 'train'?",
      },
    ]);
    // A second edit elsewhere keeps the first problem and reports the new one.
    const status = ws.client.nextStatus(uriOf(ws.pipeline), (s) => s.warnings === 1);
    const ttl = posOf(PIPELINE, 'memory: 4Gi', 8);
    const after = await ws.client.edit(ws.pipeline, { start: ttl, end: { line: ttl.line, character: ttl.character + 3 } }, '512m');
    assert.deepEqual(brief(after as Diag[]), ['21:34-21:38 suspicious-quantity', '23:12-23:17 unknown-need']);
    assert.deepEqual(await status, { uri: uriOf(ws.pipeline), kind: 'pipeline', name: 'churn-train', count: 4, errors: 1, warnings: 1, infos: 0 });
  });

  it('revalidates a pipeline when an open catalog it uses changes', async () => {
    await ws.client.open(ws.pipeline);
    await ws.client.open(ws.catalog);
    const pipelineNext = ws.client.nextDiagnostics(uriOf(ws.pipeline), (d) => d.length > 0);
    const at = posOf(CATALOG, 'customer_stats:');
    await ws.client.edit(ws.catalog, { start: at, end: { line: at.line, character: at.character + 'customer_stats'.length } }, 'customer_stats_v2');
    assert.deepEqual(brief((await pipelineNext) as Diag[]), ['17:15-17:29 unknown-feature']);
    // Whatever the server still had queued for the first edit, the second one ends clean.
    const back = ws.client.nextDiagnostics(uriOf(ws.pipeline), (d) => d.length === 0);
    await ws.client.edit(ws.catalog, { start: at, end: { line: at.line, character: at.character + 'customer_stats_v2'.length } }, 'customer_stats');
    assert.deepEqual(await back, []);
  });

  it('revalidates a pipeline when a catalog on disk changes (watched files)', async () => {
    await ws.client.open(ws.pipeline);
    fs.writeFileSync(ws.catalog, CATALOG.replace('customer_stats:', 'other_view:'));
    const next = ws.client.nextDiagnostics(uriOf(ws.pipeline));
    await ws.client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(ws.catalog), type: 2 }] });
    const diags = (await next) as Diag[];
    assert.deepEqual(brief(diags), ['17:15-17:29 unknown-feature']);
    assert.equal(diags[0]!.message, "Feature view 'customer_stats' is not defined in any *.features.yaml. Known views: other_view.");
  });

  it('updates missing-input when an input file is created or deleted', async () => {
    const text = PIPELINE.replace('inputs: [data/transactions.csv]', 'inputs: [data/transactions.csv, data/lookup.csv]');
    const first = (await ws.client.open(ws.pipeline, text)) as Diag[];
    assert.deepEqual(brief(first), ['15:36-15:51 missing-input']);
    const lookup = path.join(ws.root, 'data', 'lookup.csv');
    fs.mkdirSync(path.dirname(lookup), { recursive: true });
    fs.writeFileSync(lookup, 'id\n');
    const cleared = ws.client.nextDiagnostics(uriOf(ws.pipeline));
    await ws.client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(lookup), type: 1 }] });
    assert.deepEqual(await cleared, []);
    fs.rmSync(lookup);
    const again = ws.client.nextDiagnostics(uriOf(ws.pipeline));
    await ws.client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(lookup), type: 3 }] });
    assert.deepEqual(brief((await again) as Diag[]), ['15:36-15:51 missing-input']);
  });

  it('does not revalidate unrelated open documents on an edit', async () => {
    const other = path.join(ws.root, 'other.pipeline.yaml');
    fs.writeFileSync(other, 'version: 1\nname: other\ntasks:\n  a: {run: "true"}\n');
    await ws.client.open(other);
    await ws.client.open(ws.pipeline);
    const before = ws.client.published.length;
    await ws.client.replace(ws.pipeline, PIPELINE.replace('needs: [train]', 'needs: [nope]'));
    // A later edit's publish proves the server has finished with the earlier one.
    await ws.client.replace(ws.pipeline, PIPELINE);
    const uris = ws.client.published.slice(before).map((p) => p.uri);
    assert.deepEqual(uris, [uriOf(ws.pipeline), uriOf(ws.pipeline)]);
  });

  it('clears diagnostics when a document closes', async () => {
    await ws.client.open(ws.pipeline, PIPELINE.replace('needs: [train]', 'needs: [nope]'));
    const cleared = ws.client.nextDiagnostics(uriOf(ws.pipeline));
    await ws.client.close(ws.pipeline);
    assert.deepEqual(await cleared, []);
  });

  it('reports a catalog with its own codes and status', async () => {
    const status = ws.client.nextStatus(uriOf(ws.catalog));
    const diags = (await ws.client.open(ws.catalog, CATALOG.replace('entities: [customer]', 'entities: [custmer]'))) as Diag[];
    assert.deepEqual(brief(diags), ['9:15-9:22 unknown-entity']);
    assert.deepEqual(await status, { uri: uriOf(ws.catalog), kind: 'features', name: 'churn', count: 1, errors: 1, warnings: 0, infos: 0 });
  });
});
