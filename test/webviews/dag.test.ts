import assert from 'node:assert/strict';
import { encodeDag } from '../../core/src/protocol/dag-wire';
import { parseWebviewMessage, type HostMessage } from '../../core/src/protocol/webview';
import { churnGraph, churnRun, layeredGraph } from './fixtures';
import { barrier, compareWithBaseline, cspViolations, openDag, PIXEL_TOLERANCE, screenshotPath, startHarness, until, type DagPage, type Harness } from './harness';
import { DARK, HIGH_CONTRAST, LIGHT, type Theme } from './themes';

// Page functions run in the browser; this project is compiled without DOM types.
declare const window: any;
type G = any;

/** The time the theme pictures are taken at, so that what they say about the run ("… ago") stays the same. */
const PICTURE_TIME = new Date('2026-11-27T10:00:00Z');

function graphMessage(version: number, graph = churnGraph(), canRun = true): HostMessage {
  return { type: 'graph', version, file: 'churn.pipeline.yaml', graph: encodeDag(graph), canRun };
}

/**
 * Waits until ELK's worker has laid out its warm-up graph. The view takes ELK's layout only
 * if it comes within a quarter second of the graph (else the fast layout stays), which a
 * busy machine can miss: checks of ELK's layout open the page with a wide window
 * (ELK_WITHIN_MS) and post after this.
 */
const ELK_WITHIN_MS = 60_000;
function elkReady(p: DagPage) {
  return until(p, () => (window as G).document.querySelector('mlops-dag-app')?.getAttribute('data-elk') === 'ready', 'the ELK worker to be ready');
}

/** Counts of drawn nodes and edges by kind (SVG drawing; a zoomed-out path of several edges says how many in data-edges). */
function counts(p: DagPage) {
  return p.page.evaluate(() => {
    const g = (window as G).__graph()!;
    const edges = (selector: string) => [...g.querySelectorAll(selector)].reduce((sum: number, e: any) => sum + (e.classList.contains('batch') ? Number(e.dataset.edges) : 1), 0);
    return {
      nodes: g.querySelectorAll('g.node').length,
      declared: edges('path.edge.declared'),
      inferred: edges('path.edge.inferred'),
      elements: g.querySelectorAll('path.edge').length,
    };
  });
}

function transform(p: DagPage) {
  return p.page.evaluate(() => (window as G).__graph()!.querySelector('g.viewport')!.getAttribute('transform'));
}

function nodeClasses(p: DagPage, id: string) {
  return p.page.evaluate((i) => (window as G).__graph()!.querySelector(`g.node[data-id="${i}"]`)?.getAttribute('class') ?? '', id);
}

/** Waits until `n` nodes are drawn and no layout is pending (a draft may precede ELK's layout). */
async function shown(p: DagPage, n: number) {
  await p.page.waitForFunction(
    (count) => {
      const w = window as G;
      return (
        w.__graph()?.querySelectorAll('g.node').length === count &&
        w.__graph()?.querySelector('g.viewport')?.getAttribute('transform') &&
        !w.__app()?.querySelector('mlops-dag-toolbar')?.shadowRoot?.querySelector('.busy')
      );
    },
    n,
    { timeout: 15_000, polling: 50 },
  );
}

describe('DAG webview (headless Chromium)', function () {
  this.timeout(60_000);
  let h: Harness;
  let p: DagPage | undefined;

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });
  afterEach(async function () {
    if (p && this.currentTest?.state === 'failed') await p.page.screenshot({ path: screenshotPath(`failed-${this.currentTest.title.replace(/\W+/g, '-')}`) }).catch(() => {});
    await p?.close();
    p = undefined;
  });

  it('draws the churn example: every task, declared and inferred edges, laid out by ELK in its worker, under the CSP', async () => {
    p = await openDag(h, DARK, undefined, undefined, undefined, ELK_WITHIN_MS);
    await elkReady(p);
    await p.post(graphMessage(1));
    await shown(p, 5);
    const graph = churnGraph();
    const c = await counts(p);
    assert.equal(c.nodes, 5);
    assert.equal(c.declared, graph.edges.filter((e) => e.kind === 'declared').length);
    assert.equal(c.inferred, graph.edges.filter((e) => e.kind === 'inferred').length);
    assert.ok(c.inferred >= 3, `expected the example's path and reference edges to be inferred, got ${c.inferred}`);
    await until(p, () => (window as G).__app()?.querySelector('footer .engine')?.textContent?.includes('ELK'), 'the ELK layout');
    assert.deepEqual(await p.posted(), [{ type: 'ready' }]);
    assert.deepEqual(await cspViolations(p), []);
    assert.deepEqual(p.problems, []);
    await p.page.screenshot({ path: screenshotPath('dag-dark') });
  });

  it('keeps the fast layout when ELK misses the refine window (the picture does not change under the reader)', async () => {
    // A window of 0 ms: ELK, even warm, cannot answer before the timer, whatever the machine's load.
    p = await openDag(h, DARK, undefined, undefined, undefined, 0);
    await elkReady(p);
    await p.post(graphMessage(1));
    await shown(p, 5);
    assert.equal(await p.page.evaluate(() => (window as G).__app()?.querySelector('footer .engine')?.textContent), 'fast layered');
    assert.equal((await counts(p)).nodes, 5);
    assert.deepEqual(p.problems, []);
  });

  it('ignores a malformed graph message with a warning that says why, and keeps the graph on screen', async () => {
    p = await openDag(h, DARK);
    const warnings: string[] = [];
    p.page.on('console', (m) => {
      if (m.type() === 'warning') warnings.push(m.text());
    });
    await p.post(graphMessage(1));
    await shown(p, 5);
    const outside = graphMessage(5);
    if (outside.type === 'graph') outside.graph.edges[1] = 5;
    await p.post(outside);
    // The object form of before the wire columns: a graph without `v`.
    await p.post({ type: 'graph', version: 6, file: 'churn.pipeline.yaml', graph: churnGraph(), canRun: true } as unknown as HostMessage);
    await p.post({ type: 'graph', version: 7, file: 'churn.pipeline.yaml', graph: encodeDag(churnGraph()) } as unknown as HostMessage);
    await barrier(p);
    assert.equal((await counts(p)).nodes, 5);
    assert.deepEqual(warnings, [
      'DAG view: ignored a graph message: malformed graph: edge 0 refers to a node outside 0 to 4',
      'DAG view: ignored a graph message: malformed graph: unknown version (expected v: 1)',
      'DAG view: ignored a graph message without a numeric version, a file name and canRun',
    ]);
    // The rejected messages did not count as newer graphs: version 2 is still taken.
    await p.post(
      graphMessage(
        2,
        churnGraph((t) => `${t}\n  publish:\n    needs: [report]\n    run: echo done\n`),
      ),
    );
    await shown(p, 6);
    assert.deepEqual(p.problems, []);
  });

  it("marks run status per node, counts progress in the header and shows a failed task's log tail on hover", async () => {
    p = await openDag(h, DARK);
    await p.post(graphMessage(1));
    await shown(p, 5);
    await p.post({ type: 'run', run: churnRun() });
    await p.post({ type: 'logTail', runId: 'r-20261126-0001', task: 'train', text: 'epoch 200 loss 0.41\nAUC 0.62 below min_auc 0.7\nTraceback: QualityGateError' });
    await until(p, () => (window as G).__graph()?.querySelector('g.node[data-id="train"]')?.classList.contains('status-failed'), 'the failed class');
    assert.match(await nodeClasses(p, 'ingest'), /\bstatus-cached\b/);
    assert.match(await nodeClasses(p, 'featurize'), /\bstatus-succeeded\b/);
    assert.match(await nodeClasses(p, 'evaluate'), /\bstatus-cancelled\b/);
    const sub = await p.page.evaluate(() => (window as G).__graph()!.querySelector('g.node[data-id="featurize"] text.sub')!.textContent);
    assert.equal(sub, 'succeeded · 3.4 s');
    const header = await p.page.locator('mlops-dag-run-header .run').textContent();
    assert.match(header ?? '', /Run\s+r-202611\s+failed/);
    assert.match(header ?? '', /5\/5/);
    assert.match(header ?? '', /1 failed/);

    // Live events: a new run starts, featurize runs.
    await p.post({
      type: 'runEvent',
      event: {
        type: 'run-started',
        runId: 'r2',
        pipeline: 'churn-train',
        file: '/x',
        startedAt: new Date().toISOString(),
        params: {},
        resumedFrom: null,
        trigger: 'rpc',
        path: 'x',
        tasks: ['ingest', 'featurize', 'train', 'evaluate', 'report'],
      },
    });
    await p.post({
      type: 'runEvent',
      event: {
        type: 'task-finished',
        runId: 'r2',
        task: 'ingest',
        status: 'succeeded',
        attempts: 1,
        exitCode: 0,
        durationMs: 1200,
        cached: false,
        fingerprint: 'x',
        message: null,
        log: null,
        at: new Date().toISOString(),
      },
    });
    await p.post({ type: 'runEvent', event: { type: 'task-started', runId: 'r2', task: 'featurize', attempt: 1, at: new Date().toISOString(), pid: 1, log: '/x.log' } });
    await until(p, () => (window as G).__graph()?.querySelector('g.node[data-id="featurize"]')?.classList.contains('status-running'), 'the running class');
    assert.match(await nodeClasses(p, 'train'), /\bstatus-pending\b/);
    assert.match(await nodeClasses(p, 'ingest'), /\bstatus-succeeded\b/);
    const live = await p.page.locator('mlops-dag-run-header .run').textContent();
    assert.match(live ?? '', /1\/5/);
    assert.match(live ?? '', /1 running/);
    assert.match(live ?? '', /3 pending/);
    // A task on Slurm: its card names the job and, once placed, the node.
    await p.post({ type: 'runEvent', event: { type: 'task-started', runId: 'r2', task: 'train', attempt: 1, at: new Date().toISOString(), pid: null, log: '/t.log', executor: 'slurm', jobId: '4242' } });
    await p.post({ type: 'runEvent', event: { type: 'task-job', runId: 'r2', task: 'train', attempt: 1, at: new Date().toISOString(), job: { jobId: '4242', node: 'n2', state: 'RUNNING', reason: null } } });
    await p.page.locator('g.node[data-id="train"]').hover();
    await until(p, () => /Slurm job 4242 on n2/.test((window as G).__app()?.querySelector('mlops-dag-card')?.shadowRoot?.textContent ?? ''), 'the card to name the Slurm job and node');
    await p.page.mouse.move(1, 1);

    // Back to the failed run: hover the failed node, the card shows the log tail.
    await p.post({ type: 'run', run: churnRun() });
    await p.post({ type: 'logTail', runId: 'r-20261126-0001', task: 'train', text: 'AUC 0.62 below min_auc 0.7' });
    await p.page.locator('g.node[data-id="train"]').hover();
    await until(p, () => (window as G).__app()?.querySelector('mlops-dag-card')?.shadowRoot?.querySelector('.log'), 'the log tail');
    const card = await p.page.locator('mlops-dag-card .card').textContent();
    assert.match(card ?? '', /AUC 0\.62 below min_auc 0\.7/);
    assert.match(card ?? '', /exit code 1/);
    await p.page.screenshot({ path: screenshotPath('dag-dark-run') });
  });

  it('posts a reveal message with the task id when a node is clicked', async () => {
    p = await openDag(h, LIGHT);
    await p.post(graphMessage(1));
    await shown(p, 5);
    await p.page.locator('g.node[data-id="train"]').click();
    const posted = await p.posted();
    assert.deepEqual(posted.at(-1), { type: 'reveal', id: 'train' });
    assert.ok(parseWebviewMessage(posted.at(-1)).ok);
    assert.match(await nodeClasses(p, 'train'), /\bselected\b/);
  });

  it('keeps zoom and pan when an edit brings a new graph, and keeps the state for a restored panel', async () => {
    p = await openDag(h, DARK);
    await p.post(graphMessage(1));
    await shown(p, 5);
    await p.page.locator('vscode-toolbar-button[icon="zoom-in"]').click();
    await p.page.locator('vscode-toolbar-button[icon="zoom-in"]').click();
    const box = (await p.page.locator('mlops-dag-graph').boundingBox())!;
    await p.page.mouse.move(box.x + 40, box.y + 40);
    await p.page.mouse.down();
    await p.page.mouse.move(box.x + 120, box.y + 90, { steps: 5 });
    await p.page.mouse.up();
    const before = await transform(p);
    assert.match(before ?? '', /scale\(1\.5625\)/);
    // Same structure, new text (typing in a command), then a new task (new structure).
    await p.post(
      graphMessage(
        2,
        churnGraph((t) => t.replace('python3 src/report.py', 'python3 src/report.py --verbose')),
      ),
    );
    await p.post(
      graphMessage(
        3,
        churnGraph((t) => `${t}\n  publish:\n    needs: [report]\n    run: echo done\n`),
      ),
    );
    await shown(p, 6);
    assert.equal(await transform(p), before);
    // An older graph arriving late is ignored: once the page has handled it, still six nodes.
    await p.post(graphMessage(2, churnGraph()));
    await barrier(p);
    assert.equal((await counts(p)).nodes, 6);
    // The viewport is saved for when the panel comes back: the one on screen, the pan included
    // (it is saved a moment after the last move, so a save from before the drag may still be there).
    await until(
      p,
      () => {
        const w = window as G;
        const live = w.document.querySelector('mlops-dag-app')?.shadowRoot?.querySelector('mlops-dag-graph')?.viewport;
        return live && JSON.stringify(w.__state?.viewport) === JSON.stringify(live);
      },
      'the saved viewport to be the one on screen',
    );
    const saved = await p.page.evaluate(() => (window as G).__state);
    assert.equal(saved.viewport.k, 1.5625);
    await p.close();
    p = await openDag(h, DARK, undefined, saved);
    await p.post(graphMessage(4));
    await shown(p, 5);
    assert.equal(await transform(p), before);
  });

  it('moves between nodes with the arrow keys and reveals with Enter', async () => {
    p = await openDag(h, DARK);
    await p.post(graphMessage(1));
    await shown(p, 5);
    await p.page.locator('g.node[data-id="ingest"]').focus();
    await p.page.keyboard.press('ArrowDown');
    await until(p, () => (window as G).__graph()?.activeElement?.getAttribute('data-id') === 'featurize', 'focus on featurize');
    assert.match(await nodeClasses(p, 'featurize'), /\bselected\b/);
    await p.page.keyboard.press('ArrowDown');
    await until(p, () => (window as G).__graph()?.activeElement?.getAttribute('data-id') === 'train', 'focus on train');
    await p.page.keyboard.press('ArrowUp');
    await until(p, () => (window as G).__graph()?.activeElement?.getAttribute('data-id') === 'featurize', 'focus back on featurize');
    await p.page.keyboard.press('Enter');
    assert.deepEqual((await p.posted()).at(-1), { type: 'reveal', id: 'featurize' });
    // The focused node is the only tab stop, and it has an accessible name.
    const tabStops = await p.page.evaluate(() => [...(window as G).__graph()!.querySelectorAll('g.node[tabindex="0"]')].map((g: any) => g.getAttribute('aria-label')));
    assert.deepEqual(tabStops, ['Task featurize, 1 error']);
    // The keyboard-focused node shows its card.
    const card = await p.page.locator('mlops-dag-card .card').textContent();
    assert.match(card ?? '', /featurize/);
    assert.match(card ?? '', /data\/features\.csv/);
  });

  it('search highlights the matching tasks, dims the rest and centres the first match', async () => {
    p = await openDag(h, DARK);
    await p.post(graphMessage(1));
    await shown(p, 5);
    await p.page.locator('vscode-textfield input').fill('eval');
    await until(p, () => (window as G).__graph()?.querySelector('g.node[data-id="evaluate"]')?.classList.contains('match'), 'the match class');
    assert.match(await nodeClasses(p, 'train'), /\bdimmed\b/);
    // Centred: the node's middle is the graph's middle.
    const centre = await p.page.evaluate(() => {
      const g = (window as G).__graph()!;
      const r = g.querySelector('g.node[data-id="evaluate"] rect.box')!.getBoundingClientRect();
      const s = g.querySelector('.surface')!.getBoundingClientRect();
      return { dx: r.left + r.width / 2 - (s.left + s.width / 2), dy: r.top + r.height / 2 - (s.top + s.height / 2) };
    });
    assert.ok(Math.abs(centre.dx) < 2 && Math.abs(centre.dy) < 2, `not centred: ${JSON.stringify(centre)}`);
    assert.match((await p.page.locator('mlops-dag-toolbar .hits').textContent()) ?? '', /1 of 1/);
    // Also searches descriptions.
    await p.page.locator('vscode-textfield input').fill('feature view');
    await until(p, () => (window as G).__graph()?.querySelector('g.node[data-id="featurize"]')?.classList.contains('match'), 'a description match');
    await p.page.screenshot({ path: screenshotPath('dag-dark-search') });
  });

  it('highlights the node of the task the editor cursor is in', async () => {
    p = await openDag(h, LIGHT);
    await p.post(graphMessage(1));
    await shown(p, 5);
    await p.post({ type: 'select', id: 'evaluate' });
    await until(p, () => (window as G).__graph()?.querySelector('g.node[data-id="evaluate"]')?.classList.contains('selected'), 'the selected class');
    // Edges touching the selected task stand out.
    const related = await p.page.evaluate(() => [...(window as G).__graph()!.querySelectorAll('path.edge.related')].map((e: any) => `${e.dataset.from}>${e.dataset.to}`).sort());
    assert.deepEqual(related, ['evaluate>report', 'featurize>evaluate', 'train>evaluate']);
    assert.deepEqual(await p.posted(), [{ type: 'ready' }], 'a host selection must not echo back as a reveal');
    await p.post({ type: 'select', id: null });
    await until(p, () => !(window as G).__graph()?.querySelector('g.node.selected'), 'no selection');
  });

  it('marks nodes with diagnostics and lists them in the hover card', async () => {
    p = await openDag(h, DARK);
    const graph = churnGraph((t) => t.replace('needs: [evaluate]', 'needs: [evaluate, evalute]'));
    await p.post(graphMessage(1, graph));
    await shown(p, 5);
    assert.match(await nodeClasses(p, 'report'), /\bhas-error\b/);
    await p.page.locator('g.node[data-id="report"]').hover();
    await until(p, () => (window as G).__app()?.querySelector('mlops-dag-card')?.shadowRoot?.querySelector('.problems'), 'the problems list');
    const card = (await p.page.locator('mlops-dag-card .card').textContent()) ?? '';
    assert.match(card, /unknown-need/);
    assert.match(card, /evalute/);
    assert.match(card, /python3 src\/report\.py/, 'the command');
    assert.match(card, /reports\/report\.md/, 'the outputs');
    assert.match(card, /cpu 1 · memory 512Mi/, 'the resources');
    await p.page.locator('g.node[data-id="train"]').hover();
    await until(p, () => /Params used/.test((window as G).__app()?.querySelector('mlops-dag-card')?.shadowRoot?.textContent ?? ''), 'the params');
    const train = (await p.page.locator('mlops-dag-card .card').textContent()) ?? '';
    assert.match(train, /lr\s*epochs\s*seed/);
    assert.match(train, /churn-classifier/);
  });

  it('offers run, run-from-here and open-log in the context menu and Argo export in the toolbar, and neither runs nor exports when the workspace is untrusted', async () => {
    p = await openDag(h, DARK);
    await p.post(graphMessage(1));
    await p.post({ type: 'run', run: churnRun() });
    await shown(p, 5);
    await p.page.locator('g.node[data-id="train"]').click({ button: 'right' });
    await p.page.locator('vscode-context-menu-item', { hasText: 'Run From Here' }).click();
    assert.deepEqual((await p.posted()).at(-1), { type: 'runFrom', id: 'train' });
    await p.page.locator('g.node[data-id="featurize"]').focus();
    await p.page.keyboard.press('Shift+F10');
    await p.page.locator('vscode-context-menu-item', { hasText: 'Open Log' }).click();
    assert.deepEqual((await p.posted()).at(-1), { type: 'openLog', id: 'featurize' });
    await p.page.locator('g.node[data-id="ingest"]').click({ button: 'right' });
    await p.page.locator('vscode-context-menu-item', { hasText: 'Run Task' }).click();
    assert.deepEqual((await p.posted()).at(-1), { type: 'runTask', id: 'ingest' });

    await p.page.keyboard.press('Escape');
    await p.page.locator('vscode-toolbar-button.export-argo').click();
    assert.deepEqual((await p.posted()).at(-1), { type: 'exportArgo' });

    await p.post(graphMessage(2, churnGraph(), false));
    await p.page.locator('g.node[data-id="ingest"]').click({ button: 'right' });
    await p.page.locator('vscode-context-menu-item', { hasText: 'Show in Editor' }).waitFor();
    assert.equal(await p.page.locator('vscode-context-menu-item', { hasText: 'Run Task' }).count(), 0);
    // Untrusted: the Argo export is shown disabled and sends nothing.
    await p.page.keyboard.press('Escape');
    await p.page.locator('vscode-toolbar-button.export-argo[disabled]').waitFor();
    const before = (await p.posted()).length;
    await p.page.locator('vscode-toolbar-button.export-argo').click({ force: true });
    assert.equal((await p.posted()).length, before);
  });

  it('switches between top-down and left-to-right and exports a standalone SVG', async () => {
    p = await openDag(h, LIGHT);
    await p.post(graphMessage(1));
    await shown(p, 5);
    const pos = () =>
      p!.page.evaluate(() => {
        const g = (window as G).__graph()!;
        const t = (id: string) => g.querySelector(`g.node[data-id="${id}"]`)!.getAttribute('transform');
        return { ingest: t('ingest'), report: t('report') };
      });
    const parse = (t: string | null) =>
      t!
        .match(/translate\(([-\d.]+),([-\d.]+)\)/)!
        .slice(1)
        .map(Number) as [number, number];
    const tb = await pos();
    assert.ok(parse(tb.report)[1] > parse(tb.ingest)[1], 'top-down: report below ingest');
    await p.page.locator('vscode-toolbar-button.direction').click();
    await p.page.waitForFunction(
      () => {
        const g = (window as G).__graph()!;
        const t = (id: string) =>
          Number(
            g
              .querySelector(`g.node[data-id="${id}"]`)!
              .getAttribute('transform')!
              .match(/translate\(([-\d.]+)/)![1],
          );
        return t('report') > t('ingest') + 400;
      },
      undefined,
      { timeout: 10_000 },
    );
    assert.equal(await p.page.locator('vscode-toolbar-button.direction').getAttribute('icon'), 'arrow-right');
    await p.page.screenshot({ path: screenshotPath('dag-light-left-right') });

    await p.page.locator('vscode-toolbar-button[icon="export"]').click();
    const last = (await p.posted()).at(-1) as { type: string; svg: string };
    assert.equal(last.type, 'exportSvg');
    const parsed = parseWebviewMessage(last);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    assert.equal((last.svg.match(/<g transform=/g) ?? []).length, 5);
    assert.doesNotMatch(last.svg, /var\(--vscode/, 'colours are resolved, not CSS variables');
    assert.match(last.svg, /stroke-dasharray/, 'inferred edges stay dashed');
  });

  it('renders 1,000 tasks as SVG and stays interactive', async function () {
    this.timeout(120_000);
    p = await openDag(h, DARK, { width: 1280, height: 800 });
    const graph = layeredGraph(1000);
    const t0 = Date.now();
    await p.post(graphMessage(1, graph));
    await shown(p, 1000);
    const firstPicture = Date.now() - t0;
    const c = await counts(p);
    assert.equal(c.declared + c.inferred, graph.edges.length);
    assert.equal(c.inferred, graph.edges.filter((e) => e.kind === 'inferred').length);
    // Zoomed out, edges have no text and are drawn one path per kind: declared and inferred.
    assert.equal(c.elements, 2);
    // Interaction: 20 zoom steps and a selection change (their cost is printed below, for
    // information; speed is the benchmarks' business, not a test's).
    const zoomed = await p.page.evaluate(async () => {
      const el = (window as G).document.querySelector('mlops-dag-app').shadowRoot.querySelector('mlops-dag-graph');
      const k0 = el.viewport.k;
      const start = performance.now();
      for (let i = 0; i < 20; i++) el.zoomBy(i % 2 ? 1.1 : 0.9);
      el.selected = 't0500';
      await el.updateComplete;
      const related = [...el.shadowRoot.querySelectorAll('path.edge.related')].map((e: any) => Number(e.dataset.edges));
      return { ms: performance.now() - start, ratio: el.viewport.k / k0, selected: el.shadowRoot.querySelector('g.node.selected')?.getAttribute('data-id') ?? null, related };
    });
    const ms = zoomed.ms;
    assert.equal(zoomed.selected, 't0500');
    // The selected task's edges are highlighted in the zoomed-out drawing too (all of them declared here).
    const touching = graph.edges.filter((e) => e.from === 't0500' || e.to === 't0500');
    assert.deepEqual(
      touching.map((e) => e.kind),
      touching.map(() => 'declared'),
    );
    assert.deepEqual(zoomed.related, [touching.length]);
    assert.ok(Math.abs(zoomed.ratio - (0.9 * 1.1) ** 10) < 1e-9, `the zoom changed by ${zoomed.ratio}, not (0.9 × 1.1)^10`);
    // Zoomed out, nodes are plain boxes; zoomed in, text is back and only what is near the screen is drawn.
    assert.equal(await p.page.evaluate(() => (window as G).__graph()!.querySelectorAll('g.node text').length), 0);
    await p.page.evaluate(() => {
      const el = (window as G).document.querySelector('mlops-dag-app').shadowRoot.querySelector('mlops-dag-graph');
      el.setViewport({ x: 0, y: 0, k: 1 });
      el.centre('t0011');
    });
    await p.page.waitForFunction(() => (window as G).__graph()?.querySelector('g.node[data-id="t0011"] text.label'), undefined, { timeout: 10_000 });
    const near = (await counts(p)).nodes;
    assert.ok(near > 0 && near < 300, `expected only nodes near the screen, got ${near}`);
    // Zoomed in, every edge is its own path again, with its tasks and a tooltip.
    const edgeEls = await p.page.evaluate(() =>
      [...(window as G).__graph()!.querySelectorAll('path.edge')].map((e: any) => ({ batch: e.classList.contains('batch'), from: e.dataset.from, title: e.querySelector('title')?.textContent })),
    );
    assert.ok(edgeEls.length > 0);
    assert.deepEqual(
      edgeEls.filter((e) => e.batch || !e.from || !e.title?.startsWith(`${e.from} → `)),
      [],
    );
    // A text-only edit (same structure) re-renders without a new layout.
    const t1 = Date.now();
    graph.nodes[10]!.description = 'edited';
    await p.post(graphMessage(2, graph));
    await p.page.waitForFunction(() => (window as G).__graph()?.querySelector('g.node[data-id="t0011"] text.sub')?.textContent === 'edited', undefined, { timeout: 10_000 });
    const update = Date.now() - t1;
    console.log(`      1,000 tasks: first picture ${firstPicture} ms, 20 zooms + select ${Math.round(ms)} ms, text edit ${update} ms`);
    await p.page.screenshot({ path: screenshotPath('dag-dark-1000') });
  });

  it('renders 5,000 tasks on a canvas with level of detail', async function () {
    this.timeout(120_000);
    p = await openDag(h, DARK, { width: 1280, height: 800 });
    const graph = layeredGraph(5000);
    const t0 = Date.now();
    await p.post(graphMessage(1, graph));
    await p.page.waitForFunction(() => (window as G).__graph()?.querySelector('.surface')?.getAttribute('data-drawn-nodes') === '5000', undefined, { timeout: 60_000, polling: 100 });
    const ms = Date.now() - t0;
    assert.equal(await p.page.evaluate(() => (window as G).__graph()!.querySelector('.surface')!.getAttribute('data-mode')), 'canvas');
    // Zoom in: only what is on screen is drawn, and a click still finds its node.
    await p.page.evaluate(() => {
      const el = (window as G).document.querySelector('mlops-dag-app').shadowRoot.querySelector('mlops-dag-graph');
      el.selected = 't2500';
      el.setViewport({ x: 0, y: 0, k: 1 });
      el.centre('t2500');
    });
    await p.page.waitForFunction(() => Number((window as G).__graph()?.querySelector('.surface')?.getAttribute('data-drawn-nodes')) < 200, undefined, { timeout: 10_000 });
    const box = (await p.page.locator('mlops-dag-graph').boundingBox())!;
    await p.page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    assert.deepEqual((await p.posted()).at(-1), { type: 'reveal', id: 't2500' });
    console.log(`      5,000 tasks: first full drawing ${ms} ms`);
    await p.page.screenshot({ path: screenshotPath('dag-dark-5000-zoomed') });
  });

  /** The churn graph with a run, featurize selected and the card of train open, in `theme`: the picture the theme baselines hold. */
  async function themedPicture(theme: Theme, name: string): Promise<Buffer> {
    p = await openDag(h, theme, undefined, undefined, PICTURE_TIME, ELK_WITHIN_MS);
    await elkReady(p);
    await p.post(graphMessage(1));
    await p.post({ type: 'run', run: churnRun() });
    await shown(p, 5);
    await until(p, () => (window as G).__app()?.querySelector('footer .engine')?.textContent?.includes('ELK'), 'the ELK layout');
    await p.post({ type: 'select', id: 'featurize' });
    await until(p, () => (window as G).__graph()?.querySelector('g.node[data-id="featurize"]')?.classList.contains('selected'), 'featurize to be selected');
    await p.page.locator('g.node[data-id="train"]').hover();
    await until(p, () => /train/.test((window as G).__app()?.querySelector('mlops-dag-card')?.shadowRoot?.querySelector('.card')?.textContent ?? ''), "train's card");
    // Fitted to the window once everything is drawn: the first fit depends on whether the run
    // header was already there when the layout came.
    await p.page.evaluate(async () => {
      const el = (window as G).document.querySelector('mlops-dag-app').shadowRoot.querySelector('mlops-dag-graph');
      el.fit();
      await el.updateComplete;
    });
    await barrier(p);
    const shot = await p.page.screenshot({ path: screenshotPath(name), animations: 'disabled', caret: 'hide' });
    assert.deepEqual(await cspViolations(p), []);
    await p.close();
    p = undefined;
    return shot;
  }

  it('looks as it should in the light, dark and high-contrast themes: screenshots match the committed baselines', async () => {
    for (const [name, theme] of [
      ['light', LIGHT],
      ['dark', DARK],
      ['high-contrast', HIGH_CONTRAST],
    ] as const) {
      const { fraction } = compareWithBaseline(`dag-${name}`, await themedPicture(theme, `dag-${name}`));
      console.log(`      dag-${name}: ${(fraction * 100).toFixed(3)} % of the pixels differ from the baseline`);
    }
  });

  it('(the comparison can fail) the dark picture with a slightly lighter background does not match the baseline', async () => {
    const shot = await themedPicture({ ...DARK, vars: { ...DARK.vars, '--vscode-editor-background': '#2b2b2b' } }, 'dag-dark-lighter-background');
    assert.throws(
      () => compareWithBaseline('dag-dark', shot),
      (e: Error) => {
        const percent = Number(/\(([\d.]+) %\) differ/.exec(e.message)?.[1]);
        console.log(`      a lighter background: ${percent} % of the pixels differ from dag-dark`);
        return percent > PIXEL_TOLERANCE * 100;
      },
    );
  });
});
