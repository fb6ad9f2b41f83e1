import assert from 'node:assert/strict';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DocumentSymbol, Hover, Range } from 'vscode-languageserver';
import { Workspace } from '../../core/src/index';
import { FAST_BUDGET_MS, SLOW_CHARS } from '../../server/src/main/router';
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

/** Tasks of the hostile pipeline, and what checking it finds: a cycle for every pair of tasks, and every output but the first a duplicate. */
const HOSTILE_TASKS = 300;
const HOSTILE_DIAGNOSTICS = (HOSTILE_TASKS * (HOSTILE_TASKS - 1)) / 2 + HOSTILE_TASKS - 1;

/**
 * A small pipeline (under 64 KB, so it starts in the fast lane) that is slow to check:
 * every task reads and writes the same folder, so every pair of tasks is a cycle, and
 * finding them all costs seconds of CPU time.
 */
function hostilePipeline(): string {
  let text = 'version: 1\nname: hostile\ntasks:\n';
  for (let i = 0; i < HOSTILE_TASKS; i++) text += `  t${i}: {run: x, inputs: [o/], outputs: [o/]}\n`;
  assert.ok(text.length < SLOW_CHARS);
  return text;
}

/** CPU time (ms) of one check of `text` in this process, by the same core the server runs. */
function checkCpuMs(text: string): { ms: number; diagnostics: number } {
  const ws = new Workspace();
  ws.set('/ws/hostile.pipeline.yaml', text);
  const t0 = process.cpuUsage();
  // The diagnostics are placed when first read; the server reads them at once, so that counts too.
  const diagnostics = ws.analyze('/ws/hostile.pipeline.yaml')!.diagnostics.length;
  const used = process.cpuUsage(t0);
  return { ms: (used.user + used.system) / 1000, diagnostics };
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
  function openInBackground(file: string, text: string): Promise<{ at: number; count: number; first?: string; range?: Range }> {
    const uri = uriOf(file);
    const done = ws.client.nextDiagnostics(uri, () => true, 110_000).then((d) => ({ at: performance.now(), count: d.length, first: d[0]?.message as string | undefined, range: d[0]?.range }));
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

  it('(premise) the hostile pipeline costs the fast lane several times its CPU budget to check', function () {
    const { ms, diagnostics } = checkCpuMs(hostilePipeline());
    assert.equal(diagnostics, HOSTILE_DIAGNOSTICS);
    // If checking it got cheaper, the tests below no longer test a slow document: make it slower.
    assert.ok(ms > 3 * FAST_BUDGET_MS, `checking the hostile pipeline took only ${ms.toFixed(0)} ms of CPU time`);
  });

  it('answers a hover on another document while a small hostile pipeline is being checked', async () => {
    const hostile = openInBackground(path.join(ws.root, 'hostile.pipeline.yaml'), hostilePipeline());
    const hover = await timedHover();
    const checked = await hostile;
    assert.ok(hover.at < checked.at, `the hover (${hover.ms.toFixed(0)} ms) was answered before the hostile document's diagnostics`);
    assert.equal(checked.count, HOSTILE_DIAGNOSTICS);
    assert.equal(checked.first, 'These tasks depend on each other in a cycle: t0 → t1 → t0. Remove one of the dependencies to break it.');
    // Edits of the small pipeline keep being checked afterwards.
    const diags = await ws.client.replace(ws.pipeline, PIPELINE.replace('needs: [train]', 'needs: [nope]'));
    assert.deepEqual(
      diags.map((d) => d.code),
      ['unknown-need'],
    );
  });

  it('answers a request queued behind the check that moves a small hostile pipeline to the slow lane', async () => {
    const file = path.join(ws.root, 'hostile.pipeline.yaml');
    const hostile = openInBackground(file, hostilePipeline());
    // Sent right after the open, so it waits in the fast lane behind the document's first check, which outlives that lane's budget.
    const symbols: DocumentSymbol[] = await ws.client.request('textDocument/documentSymbol', { textDocument: { uri: uriOf(file) } });
    const tasks = symbols.find((s) => s.name === 'tasks');
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['version', 'name', 'tasks'],
    );
    assert.equal(tasks?.children?.length, HOSTILE_TASKS);
    assert.deepEqual([tasks.children[0]!.name, tasks.children.at(-1)!.name], ['t0', `t${HOSTILE_TASKS - 1}`]);
    assert.equal((await hostile).count, HOSTILE_DIAGNOSTICS);
  });

  it('answers a hover on another document right after a 10 MB document is opened, and refuses the big one with a message', async () => {
    const text = `version: 1\nname: ten\n${'#'.repeat(80)}\n`.repeat(1).concat(`# ${'x'.repeat(100)}\n`.repeat(100_000));
    const big = openInBackground(path.join(ws.root, 'ten.pipeline.yaml'), text);
    await timedHover();
    const checked = await big;
    // The refusal is quick, so neither order proves anything here; a main thread stuck on the
    // 10 MB text would never answer, and the test's timeout says so.
    assert.equal(checked.count, 1);
    assert.equal(checked.first, 'This file is 9.8 MB; files over 2 MB are not checked. Split it into several files.');
    assert.deepEqual(checked.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 10 } }, 'on the first line (version: 1)');
  });
});
