/**
 * Loads the built DAG webview (dist/webviews) in Debian's Chromium through playwright-core:
 * a local HTTP server serves the same page the extension host builds, under the same CSP,
 * and a stub `acquireVsCodeApi` records what the webview posts.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HostMessage, WebviewMessage } from '../../core/src/protocol/webview';
import { DAG_APP, webviewPageHtml } from '../../core/src/protocol/webview-html';
import { decodePng, diffImages, encodePng } from './png';
import type { Theme } from './themes';

// Page functions run in the browser; this project is compiled without DOM types.
declare const window: any;
declare const document: any;
declare const customElements: any;

// Compiled to out/test/webviews/, so the repository root is three levels up.
export const REPO = path.resolve(__dirname, '../../..');
export const DIST = path.join(REPO, 'dist', 'webviews');
export const RESULTS = path.join(REPO, 'test-results', 'webviews');
const CHROMIUM = process.env.MLOPS_E2E_CHROMIUM ?? '/usr/bin/chromium';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

export interface Harness {
  browser: Browser;
  origin: string;
  close(): Promise<void>;
}

/** Starts the file server and the browser once per test file. */
export async function startHarness(): Promise<Harness> {
  if (!fs.existsSync(path.join(DIST, 'dag.js'))) throw new Error(`${DIST}/dag.js is missing; run node scripts/bundle.mjs first.`);
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing; apt-get install -y chromium (or set MLOPS_E2E_CHROMIUM).`);
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === '/') {
      const nonce = randomBytes(16).toString('base64');
      const html = webviewPageHtml({
        ...DAG_APP,
        cspSource: origin,
        nonce,
        scriptUri: `${origin}/dist/dag.js`,
        styleUri: `${origin}/dist/dag.css`,
        codiconUri: `${origin}/dist/codicon.css`,
        title: 'Pipeline DAG',
      });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    const rel = url.pathname.startsWith('/dist/') ? url.pathname.slice('/dist/'.length) : undefined;
    const file = rel && path.join(DIST, path.normalize(rel));
    if (!file || !file.startsWith(DIST) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  return {
    browser,
    origin,
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface DagPage {
  page: Page;
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[];
  post(m: HostMessage): Promise<void>;
  posted(): Promise<WebviewMessage[]>;
  close(): Promise<void>;
}

/**
 * A fresh page with the webview loaded, a theme applied and the stub API installed; with
 * `fixedNow`, the page's Date stands still at that time (for pictures that show "… ago");
 * with `elkWithinMs`, the view waits that long for ELK's layout instead of a quarter second
 * (checks of ELK's layout must not depend on how busy the machine is).
 */
export async function openDag(h: Harness, theme: Theme, size = { width: 1100, height: 720 }, savedState?: unknown, fixedNow?: Date, elkWithinMs?: number): Promise<DagPage> {
  const page = await h.browser.newPage({ viewport: size, deviceScaleFactor: 1 });
  if (fixedNow) await page.clock.setFixedTime(fixedNow);
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
  await page.addInitScript((state) => {
    const w = window as unknown as { __posted: unknown[]; __state: unknown; acquireVsCodeApi: () => unknown; __csp: string[] };
    w.__posted = [];
    w.__state = state;
    w.__csp = [];
    let acquired = false;
    w.acquireVsCodeApi = () => {
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      return {
        postMessage: (m: unknown) => w.__posted.push(JSON.parse(JSON.stringify(m))),
        getState: () => w.__state,
        setState: (s: unknown) => {
          w.__state = s;
        },
      };
    };
    document.addEventListener('securitypolicyviolation', (e: { violatedDirective: string; blockedURI: string }) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    // Shadow roots of the app and the graph, for page functions.
    (w as unknown as Record<string, unknown>).__app = () => document.querySelector('mlops-dag-app')?.shadowRoot;
    (w as unknown as Record<string, unknown>).__graph = () => document.querySelector('mlops-dag-app')?.shadowRoot?.querySelector('mlops-dag-graph')?.shadowRoot;
  }, savedState);
  if (elkWithinMs !== undefined) {
    await page.addInitScript((ms) => {
      (window as unknown as { __mlopsDagRefineWithinMs: number }).__mlopsDagRefineWithinMs = ms;
    }, elkWithinMs);
  }
  await page.goto(`${h.origin}/`);
  await page.evaluate((t) => {
    document.body.className = t.bodyClass;
    document.body.dataset.vscodeThemeKind = t.kind;
    for (const [k, v] of Object.entries(t.vars)) document.documentElement.style.setProperty(k, v);
  }, theme);
  await page.waitForFunction(() => customElements.get('mlops-dag-app') !== undefined);
  return {
    page,
    problems,
    post: async (m) => {
      await page.evaluate((msg) => window.postMessage(msg, '*'), m as unknown as Record<string, unknown>);
    },
    posted: () => page.evaluate(() => (window as unknown as { __posted: WebviewMessage[] }).__posted),
    close: () => page.close(),
  };
}

/** CSP violations the page reported. */
export function cspViolations(p: DagPage): Promise<string[]> {
  return p.page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
}

/** Polls `fn` in the page until it returns a truthy value or the deadline passes. */
export async function until<T>(p: DagPage, fn: () => T, what: string, timeout = 10_000): Promise<void> {
  try {
    await p.page.waitForFunction(fn, undefined, { timeout, polling: 50 });
  } catch {
    throw new Error(`timed out after ${timeout} ms waiting for ${what}; page problems: ${p.problems.join(' | ') || 'none'}`);
  }
}

export function screenshotPath(name: string): string {
  fs.mkdirSync(RESULTS, { recursive: true });
  return path.join(RESULTS, `${name}.png`);
}

/**
 * Waits until every message posted to the page so far has been handled: the page posts
 * itself one more and waits for it (a window's messages arrive in order), then lets the
 * app finish the render they caused. The way to check that something did *not* happen.
 */
export async function barrier(p: DagPage): Promise<void> {
  await pageBarrier(p.page, 'mlops-dag-app');
}

/** barrier() for any webview page: `app` is the selector of its lit app element. */
export async function pageBarrier(page: Page, app: string): Promise<void> {
  await page.evaluate(async (appSelector) => {
    await new Promise<void>((resolve) => {
      const marker = `barrier-${Math.random()}`;
      const seen = (e: { data: unknown }) => {
        if (e.data !== marker) return;
        window.removeEventListener('message', seen);
        resolve();
      };
      window.addEventListener('message', seen);
      window.postMessage(marker, '*');
    });
    await document.querySelector(appSelector)?.updateComplete;
  }, app);
}

/** Committed pictures the theme screenshots are compared with (test/webviews/baselines/NAME.png). */
export const BASELINES = path.join(REPO, 'test', 'webviews', 'baselines');

/**
 * How far a screenshot may stray from its baseline: a colour channel within THRESHOLD of the
 * baseline's counts as the same, and at most TOLERANCE of the pixels may differ (anti-aliased
 * text edges vary from one Chromium build to another; a theme colour gone wrong changes many
 * pixels). The baselines are taken with Debian 12's Chromium and fonts, as CI has them.
 */
export const PIXEL_THRESHOLD = 8;
export const PIXEL_TOLERANCE = 0.005;

/**
 * Compares a screenshot with its committed baseline, pixel by pixel; a difference beyond the
 * tolerance fails, saving a picture of where (test-results/webviews/NAME-diff.png).
 * MLOPS_UPDATE_BASELINES=1 writes the screenshot as the new baseline instead (commit it).
 */
export function compareWithBaseline(name: string, shot: Buffer): { fraction: number } {
  const file = path.join(BASELINES, `${name}.png`);
  if (process.env.MLOPS_UPDATE_BASELINES === '1') {
    fs.mkdirSync(BASELINES, { recursive: true });
    fs.writeFileSync(file, shot);
    return { fraction: 0 };
  }
  if (!fs.existsSync(file)) throw new Error(`${path.relative(REPO, file)} is missing; run the test with MLOPS_UPDATE_BASELINES=1 and commit the picture it writes.`);
  const d = diffImages(decodePng(fs.readFileSync(file)), decodePng(shot), PIXEL_THRESHOLD);
  if (d.fraction > PIXEL_TOLERANCE) {
    const where = screenshotPath(`${name}-diff`);
    fs.writeFileSync(where, encodePng(d.picture));
    throw new Error(
      `${name}: ${d.pixels} pixels (${(d.fraction * 100).toFixed(2)} %) differ from ${path.relative(REPO, file)}, more than ${PIXEL_TOLERANCE * 100} %; ` +
        `see ${path.relative(REPO, where)} (magenta) and ${path.relative(REPO, screenshotPath(name))}. If the change is intended, run with MLOPS_UPDATE_BASELINES=1 and commit the new picture.`,
    );
  }
  return { fraction: d.fraction };
}
