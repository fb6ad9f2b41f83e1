import assert from 'node:assert/strict';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Hover } from 'vscode-languageserver';
import { posOf, uriOf } from './client';
import { PIPELINE } from './fixtures';
import { useLspWorkspace } from './workspace';

/** A pipeline of nearly 2 MB: every byte must be parsed and checked, which takes seconds. */
function hugePipeline(): string {
  let text = 'version: 1\nname: huge\ntasks:\n';
  for (let i = 0; ; i++) {
    const line = `  t${i}: {run: "echo ${i}", needs: [${i > 0 ? `t${i - 1}` : ''}], outputs: [out/${i}]}\n`;
    if (text.length + line.length > 1_900_000) return text;
    text += line;
  }
}

/** A small pipeline (under 64 KB, so it starts in the fast lane) that is slow to check: thousands of unknown needs, each looking for the closest id. */
function hostilePipeline(): string {
  let text = 'version: 1\nname: hostile\ntasks:\n';
  for (let i = 0; i < 1800; i++) text += `  t${i}: {run: x, needs: [nope${i}]}\n`;
  assert.ok(text.length < 64 * 1024);
  return text;
}

describe('language server: big and hostile documents do not block other documents', function () {
  this.timeout(120_000);
  const ws = useLspWorkspace({ each: true, open: ['pipeline'] });

  const EXPECTED_HOVER = '**param** `lr`: number = `0.05`\n\nlearning rate\n\nUse as `${{ params.lr }}` or `$MLOPS_PARAM_LR`.';

  /** Hovers on the small pipeline and returns how long the answer took. */
  async function timedHover(): Promise<{ ms: number; at: number }> {
    const t = performance.now();
    const h: Hover = await ws.client.request('textDocument/hover', { textDocument: { uri: uriOf(ws.pipeline) }, position: posOf(PIPELINE, 'params.lr', 8) });
    const at = performance.now();
    assert.equal((h.contents as { value: string }).value, EXPECTED_HOVER);
    return { ms: at - t, at };
  }

  /** Opens a document without waiting, and records when its first diagnostics arrive. */
  function openInBackground(file: string, text: string): Promise<{ at: number; count: number; first?: string }> {
    const uri = uriOf(file);
    const done = ws.client.nextDiagnostics(uri, () => true, 110_000).then((d) => ({ at: performance.now(), count: d.length, first: d[0]?.message as string | undefined }));
    void ws.client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    return done;
  }

  it('answers a hover on another document while a 1.9 MB pipeline is being checked', async () => {
    const big = openInBackground(path.join(ws.root, 'huge.pipeline.yaml'), hugePipeline());
    const hover = await timedHover();
    const second = await timedHover();
    const checked = await big;
    // Ordering, not a stopwatch: both hovers were answered while the big document was still being checked.
    assert.ok(second.at < checked.at, `the hovers were answered before the big document finished (hovers ${hover.ms.toFixed(0)} / ${second.ms.toFixed(0)} ms)`);
    assert.equal(checked.count, 0);
  });

  it('answers a hover on another document while a small hostile pipeline is being checked', async () => {
    const hostile = openInBackground(path.join(ws.root, 'hostile.pipeline.yaml'), hostilePipeline());
    const hover = await timedHover();
    const checked = await hostile;
    assert.ok(hover.at < checked.at, `the hover (${hover.ms.toFixed(0)} ms) was answered before the hostile document's diagnostics`);
    assert.equal(checked.count, 1800);
    assert.equal(checked.first, "Task 't0' needs 'nope0', but no task has that id. Define a task 'nope0' or remove this entry.");
    // Edits of the small pipeline keep being checked afterwards.
    const diags = await ws.client.replace(ws.pipeline, PIPELINE.replace('needs: [train]', 'needs: [nope]'));
    assert.deepEqual(diags.map((d) => d.code), ['unknown-need']);
  });

  it('answers a hover on another document right after a 10 MB document is opened, and refuses the big one with a message', async () => {
    const text = `version: 1\nname: ten\n${'#'.repeat(80)}\n`.repeat(1).concat(`# ${'x'.repeat(100)}\n`.repeat(100_000));
    const big = openInBackground(path.join(ws.root, 'ten.pipeline.yaml'), text);
    const hover = await timedHover();
    const checked = await big;
    // The refusal is quick, so ordering proves nothing here; only a main thread stuck on the 10 MB text
    // (a hang, not a slow machine) would take this long.
    assert.ok(hover.ms < 15_000, `hover took ${hover.ms.toFixed(0)} ms`);
    assert.equal(checked.count, 1);
    assert.equal(checked.first, 'This file is 9.8 MB; files over 2 MB are not checked. Split it into several files.');
  });
});
