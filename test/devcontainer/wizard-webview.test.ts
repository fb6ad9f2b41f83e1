import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { detect, DEVCONTAINER_JSON, DOCKERFILE, generate, suggestedOptions } from '../../core/src/devcontainer/index';
import { DEVCONTAINER_APP, webviewPageHtml } from '../../core/src/protocol/webview-html';
import type { DevcontainerHostMessage, DevcontainerWebviewMessage } from '../../core/src/protocol/devcontainer';
import { pageBarrier } from '../webviews/harness';
import { scanProject } from '../../agent/src/devcontainer/scan';
import { waitFor } from '../wait';
import { FIXTURES, REPO } from './helpers';

const CHROMIUM = process.env['MLOPS_E2E_CHROMIUM'] ?? '/usr/bin/chromium';
const NONCE = 'dGVzdC1ub25jZS0xMjM0NTY3OA==';

// Page functions run in the browser; this project is compiled without DOM types.
declare const window: any;

/** Serves the bundled wizard under its real CSP, with a stub webview API that records posts. */
async function serve(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') {
      const origin = `http://${req.headers.host}`;
      const page = webviewPageHtml({
        ...DEVCONTAINER_APP,
        cspSource: origin,
        nonce: NONCE,
        scriptUri: `${origin}/devcontainer.js`,
        styleUri: `${origin}/devcontainer.css`,
        codiconUri: `${origin}/codicon.css`,
        title: 'Dev container',
      });
      // The stub stands in for VS Code's acquireVsCodeApi; it carries the page's nonce, like VS Code's own script.
      const stub = `<script nonce="${NONCE}">
        window.__posted = []; window.__violations = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
        window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))) });
      </script>`;
      res.writeHead(200, { 'content-type': 'text/html' }).end(page.replace('<script nonce=', `${stub}\n<script nonce=`));
      return;
    }
    const file = path.join(dir, path.basename(url.pathname));
    if (!fs.existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'application/octet-stream' });
    res.end(fs.readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

describe('devcontainer wizard webview (headless Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let site: { url: string; close(): Promise<void> } | undefined;
  let page: Page;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.log(`      skipping the wizard browser tests: no Chromium at ${CHROMIUM} (scripts/e2e-setup.sh installs it)`);
      this.skip();
    }
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-dc-webview-'));
    await build({
      absWorkingDir: REPO,
      entryPoints: ['webviews/src/devcontainer/main.ts'],
      outfile: path.join(out, 'devcontainer.js'),
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'chrome120',
      logLevel: 'warning',
    });
    fs.copyFileSync(path.join(REPO, 'webviews', 'src', 'devcontainer', 'devcontainer.css'), path.join(out, 'devcontainer.css'));
    fs.writeFileSync(path.join(out, 'codicon.css'), '');
    site = await serve(out);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  after(async () => {
    await browser?.close();
    await site?.close();
  });

  beforeEach(async () => {
    page = await browser!.newPage();
    await page.goto(site!.url);
  });

  afterEach(async () => {
    await page?.close();
  });

  const posted = () => page.evaluate(() => window.__posted as DevcontainerWebviewMessage[]);
  const deliver = (m: DevcontainerHostMessage) => page.evaluate((msg) => window.postMessage(msg, '*'), m);
  /** Waits until the page has handled every message delivered so far and rendered what they changed. */
  const barrier = () => pageBarrier(page, 'mlops-dc-app');

  function conda() {
    const facts = detect(scanProject(path.join(FIXTURES, 'conda')));
    const options = suggestedOptions(facts);
    const files = generate(facts, { name: 'conda', python: options.python }).files;
    return { facts, options, files };
  }

  it('asks for the facts, shows them and the preview, and sends each change with a new seq', async () => {
    await waitFor('ready', async () => (await posted()).length === 1);
    assert.deepEqual(await posted(), [{ type: 'ready' }]);
    const { facts, options, files } = conda();
    await deliver({ type: 'init', project: 'conda', facts, options, pythonVersions: ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13'] });
    const change = await waitFor('the first change', async () => (await posted()).find((m) => m.type === 'change'));
    assert.deepEqual(change, { type: 'change', seq: 1, options });
    await deliver({
      type: 'preview',
      seq: 1,
      files: [
        { path: DEVCONTAINER_JSON, status: 'new', text: files[DEVCONTAINER_JSON]! },
        { path: DOCKERFILE, status: 'changed', text: files[DOCKERFILE]!, diff: '--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n # same\n-ARG OLD=1\n+ARG NEW=1\n' },
      ],
      summary: { baseImage: 'nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04', python: '3.10', gpu: 'optional', cuda: '12.1' },
    });
    await page.locator('mlops-dc-preview pre.diff').waitFor();
    assert.equal(await page.locator('mlops-dc-facts dd.manifests').innerText(), 'environment.yml (conda)');
    assert.equal(await page.locator('mlops-dc-facts dd.frameworks').innerText(), 'torch 2.1.0 (CUDA 12.1), sklearn >=1.3');
    assert.match(await page.locator('mlops-dc-app .summary').innerText(), /Base nvidia\/cuda:12\.1\.1-cudnn8-runtime-ubuntu22\.04 · Python 3\.10 · GPU optional, CUDA 12\.1/);
    assert.deepEqual(await page.locator('mlops-dc-preview pre.diff .line.del').allInnerTexts(), ['-ARG OLD=1']);
    assert.deepEqual(await page.locator('mlops-dc-preview pre.diff .line.add').allInnerTexts(), ['+ARG NEW=1']);
    assert.equal((await page.locator('mlops-dc-app #write').innerText()).trim(), 'Overwrite 1 changed file…');

    await page.locator('mlops-dc-options vscode-radio[value="off"]').click();
    const second = await waitFor('the second change', async () => (await posted()).filter((m) => m.type === 'change')[1]);
    assert.deepEqual(second, { type: 'change', seq: 2, options: { ...options, gpu: 'off' } });
    // An answer to an older change is ignored.
    await deliver({ type: 'preview', seq: 1, files: [], summary: { baseImage: 'stale', python: '3.10', gpu: 'none' } });
    await barrier();
    assert.doesNotMatch(await page.locator('mlops-dc-app .summary').innerText(), /stale/);
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
  });

  it('writes with the current options and reports what the host did', async () => {
    await waitFor('ready', async () => (await posted()).length === 1);
    const { facts, options, files } = conda();
    await deliver({ type: 'init', project: 'conda', facts, options, pythonVersions: ['3.10', '3.11'] });
    await waitFor('the first change', async () => (await posted()).some((m) => m.type === 'change'));
    await deliver({
      type: 'preview',
      seq: 1,
      files: [
        { path: DEVCONTAINER_JSON, status: 'new', text: files[DEVCONTAINER_JSON]! },
        { path: DOCKERFILE, status: 'new', text: files[DOCKERFILE]! },
      ],
      summary: { baseImage: 'x', python: '3.10', gpu: 'optional', cuda: '12.1' },
    });
    await page.locator('mlops-dc-app #write:not([disabled])').waitFor();
    assert.equal((await page.locator('mlops-dc-app #write').innerText()).trim(), 'Write 2 files');
    await page.locator('mlops-dc-options #jupyter').click();
    await waitFor('the change after unticking Jupyter', async () => (await posted()).filter((m) => m.type === 'change').length === 2);
    await deliver({ type: 'preview', seq: 2, files: [{ path: DOCKERFILE, status: 'new', text: files[DOCKERFILE]! }], summary: { baseImage: 'x', python: '3.10', gpu: 'optional' } });
    await page.locator('mlops-dc-app #write').click();
    const write = await waitFor('write', async () => (await posted()).find((m) => m.type === 'write'));
    assert.deepEqual(write, { type: 'write', options: { ...options, jupyter: false } });
    await deliver({ type: 'declined' });
    assert.equal(await page.locator('mlops-dc-app .banner').innerText(), 'Nothing was written: the existing files were kept.');
    await page.locator('mlops-dc-app #cancel').click();
    await waitFor('cancel', async () => (await posted()).some((m) => m.type === 'cancel'));
  });

  it('offers variants, tooling and the imports as ticked-off choices under their kind, and a tick sends them', async () => {
    await waitFor('ready', async () => (await posted()).length === 1);
    const facts = detect(scanProject(path.join(FIXTURES, 'layouts', 'variants')));
    const options = suggestedOptions(facts);
    await deliver({ type: 'init', project: 'variants', facts, options, pythonVersions: ['3.11', '3.12'] });
    await waitFor('the first change', async () => (await posted()).some((m) => m.type === 'change'));
    const group = (kind: string) => page.locator(`mlops-dc-options [data-kind="${kind}"] vscode-checkbox`).allInnerTexts();
    assert.deepEqual(
      (await group('variant')).map((t) => t.trim()),
      ['cpu', 'cuda', 'tpu'],
    );
    assert.deepEqual(
      (await group('tooling')).map((t) => t.trim()),
      ['ci', 'docs', 'doctests', 'typing'],
    );
    assert.equal(await page.locator('mlops-dc-options [data-kind="variant"]').getAttribute('aria-label'), 'Alternative builds (choose one)');
    assert.deepEqual(await page.locator('mlops-dc-options vscode-checkbox.group[checked]').count(), 0, 'nothing optional is ticked at first');
    await page.locator('mlops-dc-options vscode-checkbox[data-group="cuda"]').click();
    const change = await waitFor('the change after ticking cuda', async () => (await posted()).filter((m) => m.type === 'change')[1]);
    assert.deepEqual(change, { type: 'change', seq: 2, options: { ...options, groups: ['cuda'] } });
    assert.deepEqual(await page.locator('mlops-dc-options vscode-radio').evaluateAll((rs) => rs.map((r) => r.getAttribute('value'))), ['project', 'auto', 'on', 'off']);
  });
});
