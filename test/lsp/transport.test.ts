import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node';
import type { Hover, PublishDiagnosticsParams } from 'vscode-languageserver';
import { LspClient, makeWorkspace, posOf, serverScript, uriOf } from './client';
import { PIPELINE, PROJECT } from './fixtures';

describe('language server: transports and settings', function () {
  let root: string;

  beforeEach(() => {
    root = makeWorkspace(PROJECT);
  });

  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('speaks LSP over Node IPC, the transport the extension uses', async () => {
    const child = fork(serverScript, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    const conn = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    const file = path.join(root, 'churn.pipeline.yaml');
    const published = new Promise<PublishDiagnosticsParams>((resolve) => conn.onNotification('textDocument/publishDiagnostics', resolve));
    conn.onRequest('client/registerCapability', () => null);
    conn.listen();
    try {
      const init: { serverInfo: { name: string } } = await conn.sendRequest('initialize', { processId: process.pid, rootUri: uriOf(root), capabilities: {} });
      assert.equal(init.serverInfo.name, 'mlops-language-server');
      await conn.sendNotification('initialized', {});
      const text = PIPELINE.replace('needs: [train]', 'needs: [nope]');
      await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uriOf(file), languageId: 'yaml', version: 1, text } });
      const p = await published;
      assert.deepEqual([p.uri, p.version, p.diagnostics.map((d) => d.code)], [uriOf(file), 1, ['unknown-need']]);
      await conn.sendRequest('shutdown');
      await conn.sendNotification('exit');
    } finally {
      conn.dispose();
      child.kill();
    }
  });

  it('waits mlops.validation.debounceMs after typing, checks at once on save, and skips outdated versions', async () => {
    const client = await LspClient.start({ root, settings: { mlops: { validation: { debounceMs: 2000 } } } });
    try {
      const file = path.join(root, 'churn.pipeline.yaml');
      const uri = uriOf(file);
      await client.open(file);
      // Two quick edits: only the second version is checked, after the quiet period.
      const t0 = performance.now();
      const next = client.nextDiagnostics(uri);
      await client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: PIPELINE.replace('needs: [train]', 'needs: [a]') }] });
      await client.notify('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text: PIPELINE.replace('needs: [train]', 'needs: [b]') }] });
      const diags = await next;
      // A lower bound: a busy machine can only make the wait longer.
      const waited = performance.now() - t0;
      assert.ok(waited >= 1900, `published after ${waited.toFixed(0)} ms, before the debounce`);
      assert.match(diags[0]!.message as string, /needs 'b'/);
      assert.deepEqual(
        client.published.filter((p) => p.uri === uri).map((p) => p.version),
        [1, 3],
      );
      // Saving does not wait for the quiet period: the check it starts is queued before a hover
      // sent right after the save, so its diagnostics arrive before the hover's answer — with
      // the 2 s quiet period still running.
      await client.notify('textDocument/didChange', { textDocument: { uri, version: 4 }, contentChanges: [{ text: PIPELINE }] });
      await client.notify('textDocument/didSave', { textDocument: { uri } });
      const hover: Hover = await client.request('textDocument/hover', { textDocument: { uri }, position: posOf(PIPELINE, 'params.lr', 8) });
      assert.match((hover.contents as { value: string }).value, /^\*\*param\*\* `lr`/);
      assert.deepEqual(
        client.published.filter((p) => p.uri === uri).map((p) => p.version),
        [1, 3, 4],
        "the save's check was published before the hover was answered",
      );
      assert.deepEqual(client.published.at(-1)!.diagnostics, []);
    } finally {
      await client.stop();
    }
  });
});
