#!/usr/bin/env node
// End-to-end suite: the packaged extension in a real VS Code (code-server) driven by
// Debian's Chromium. Runs the checks of each file checks/NN-*.mjs in a window of its own,
// opened on a fresh copy of examples/churn (so a file passes alone, and in any order, as it
// does in the suite), saves a screenshot per check under test-results/e2e/, and always
// stops what it started.
//
// Environment:
//   MLOPS_E2E_ONLY=text    run only checks whose "<file>/<name>" contains text
//   MLOPS_E2E_ORDER=reverse|shuffle[:SEED]|NN,NN,...   the order of the files: reversed,
//                          shuffled (the seed used is printed, to run the same order again),
//                          or the named ones first (file name prefixes), the rest after
//   MLOPS_E2E_BREAK=server|client   delete that bundle from the installed extension
//                          (proves a broken build fails the suite)
//   MLOPS_E2E_CACHE=dir    where code-server is installed (default ~/.cache/mlops-workbench)
//   MLOPS_E2E_PORT=n       use this port instead of a free one
//   MLOPS_E2E_KEEP=1       keep the run's temp folder (user data, logs, workspace)
//   MLOPS_E2E_RESULTS=dir  write screenshots and logs there instead of test-results/e2e
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchBrowser } from './harness/browser.mjs';
import { ensureCodeServer } from './harness/code-server.mjs';
import { cacheRoot, manifest, repoRoot, resultsDir, vsixPath } from './harness/config.mjs';
import { cleanupAll, installExitHandlers, onCleanup, reapStaleGroups, recordGroup } from './harness/processes.mjs';
import { locate, taskIds, taskKeyLine } from './harness/source.mjs';
import { Workbench } from './harness/vscode.mjs';
import { waitFor } from './harness/wait.mjs';
import { copyWorkspace, installVsix, makeRunDirs, removeRunDirs, startCodeServer } from './harness/workbench-server.mjs';

const checksDir = join(repoRoot, 'test', 'e2e', 'checks');
const DEFAULT_CHECK_TIMEOUT = 60_000;
const t0 = Date.now();
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const log = (msg) => console.log(`e2e [${secs(Date.now() - t0).padStart(7)}] ${msg}`);
/** A path as short as it can be said: relative below the working folder, else absolute. */
const rel = (p) => {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
};

/** The files in the order MLOPS_E2E_ORDER asks for, and how to say it. */
function orderFiles(files, order = process.env.MLOPS_E2E_ORDER) {
  if (!order) return { files, said: 'file order' };
  if (order === 'reverse') return { files: [...files].reverse(), said: 'reverse order' };
  const shuffle = /^shuffle(?::(\d+))?$/.exec(order);
  if (shuffle) {
    const seed = shuffle[1] === undefined ? Math.floor(Math.random() * 1e9) : Number(shuffle[1]);
    // Sorted by a hash of seed and name: the same seed, the same order.
    const key = (f) => createHash('sha256').update(`${seed}:${f}`).digest('hex');
    return { files: [...files].sort((a, b) => (key(a) < key(b) ? -1 : 1)), said: `shuffled with MLOPS_E2E_ORDER=shuffle:${seed}` };
  }
  const first = [];
  for (const name of order
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)) {
    const f = files.find((x) => x.startsWith(name) && !first.includes(x));
    if (!f) throw new Error(`MLOPS_E2E_ORDER names ${name}, which is not a check file (${files.join(', ')}); use reverse, shuffle[:SEED] or file names`);
    first.push(f);
  }
  return { files: [...first, ...files.filter((f) => !first.includes(f))], said: `MLOPS_E2E_ORDER=${order}` };
}

/** Every check of every file, files in the order asked for, checks in file order: [{file, name, run, timeout}]. */
async function loadChecks() {
  const ordered = orderFiles(
    readdirSync(checksDir)
      .filter((f) => /^\d\d-[a-z0-9-]+\.mjs$/.test(f))
      .sort(),
  );
  log(`check files in ${ordered.said}`);
  const files = ordered.files;
  const all = [];
  for (const f of files) {
    const mod = await import(pathToFileURL(join(checksDir, f)).href);
    if (!Array.isArray(mod.checks)) throw new Error(`${f} exports no "checks" array`);
    if (mod.settings !== undefined && (typeof mod.settings !== 'object' || Array.isArray(mod.settings))) {
      throw new Error(`${f}: "settings" must be an object (the window's .vscode/settings.json)`);
    }
    for (const c of mod.checks) {
      if (!/^[a-z0-9-]+$/.test(c.name ?? '') || typeof c.run !== 'function') {
        throw new Error(`${f}: every check needs a kebab-case name and a run(ctx) function`);
      }
      all.push({ file: basename(f, '.mjs'), settings: mod.settings, ...c });
    }
  }
  const only = process.env.MLOPS_E2E_ONLY;
  return only ? all.filter((c) => `${c.file}/${c.name}`.includes(only)) : all;
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Starts code-server with the packaged extension, and Chromium; each file's window opens later (openWindow). */
async function setUp(dirs, env) {
  const vsix = vsixPath();
  if (!existsSync(vsix)) throw new Error(`${rel(vsix)} does not exist; run \`npm run package\` (npm run test:e2e does) first.`);

  const install = await ensureCodeServer({ log });
  const extensionDir = installVsix(install, dirs, vsix);
  log(`installed ${basename(vsix)} into ${extensionDir}`);

  const broken = process.env.MLOPS_E2E_BREAK;
  if (broken) {
    const victim = join(extensionDir, 'dist', `${broken}.js`);
    if (!existsSync(victim)) throw new Error(`MLOPS_E2E_BREAK=${broken}: ${victim} does not exist`);
    rmSync(victim);
    log(`MLOPS_E2E_BREAK=${broken}: deleted dist/${broken}.js from the installed extension; checks are expected to fail`);
  }

  // A window closed for the next file lets go of its extension host (and the agent and
  // language server under it) a minute later, not after code-server's default three hours.
  const server = await startCodeServer(install, dirs, { logFile: join(resultsDir, 'code-server.log'), reconnectionGraceSeconds: 60 });
  recordGroup(join(cacheRoot(), 'e2e-runs'), { pgid: server.proc.pid, port: server.port, root: dirs.root });
  onCleanup(() => server.stop());
  log(`code-server ${manifest.mlopsE2E.codeServer} listening on ${server.url} (process group ${server.proc.pid})`);

  Object.assign(env, { server, extensionDir });
  env.browser = await launchBrowser(dirs.chromiumProfile);
  env.page = env.browser.page;
}

/** VS Code's log files so far, relative to logs/. */
function logFilesNow(dirs) {
  const root = join(dirs.userData, 'logs');
  return existsSync(root) ? readdirSync(root, { recursive: true }).map(String) : [];
}

const ACTIVATED = /ExtensionService#_doActivateExtension mlops-workbench\.mlops-workbench\b/;
// VS Code looks for workspaceContains globs with a 7 s budget and, when a busy machine makes
// it run out, does not activate the extension in that window at all (the log says so).
const GAVE_UP = /Not activating extension 'mlops-workbench\.mlops-workbench': Timed out while searching for 'workspaceContains'/;
const WINDOW_TRIES = 3;

/**
 * A window of its own for one check file: a fresh copy of examples/churn (as churn/, in a
 * folder named after the file) opened in a new tab, the previous file's tab closed first.
 * The file's exported `settings` are the folder's .vscode/settings.json before the window
 * opens, so the extension reads them from its first moment (a settings file written while
 * the window is open reaches the extension only when VS Code's file watcher notices it).
 * Returns once the extension host of the window has activated the extension; a window in
 * which VS Code gave up searching the folder is replaced by a new one (at most WINDOW_TRIES),
 * so a check never meets an extension that was not started.
 */
async function openWindow(env, dirs, file, settings) {
  const workspace = copyWorkspace(join(repoRoot, 'examples', 'churn'), dirs, join(file, 'churn'));
  if (settings) {
    mkdirSync(join(workspace, '.vscode'), { recursive: true });
    writeFileSync(join(workspace, '.vscode', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  }
  const logsRoot = join(dirs.userData, 'logs');
  for (let attempt = 1; ; attempt++) {
    const logsBefore = new Set(logFilesNow(dirs));
    const previous = env.page;
    env.page = await env.browser.context.newPage();
    await previous?.close().catch(() => {});
    env.vs = new Workbench(env.page);
    await env.vs.open(env.server.url, workspace);
    log(`${file}: window open on ${workspace}`);
    const hostLog = () =>
      logFilesNow(dirs)
        .filter((f) => !logsBefore.has(f) && /exthost\d*[\\/](remote)?exthost\.log$/.test(f))
        .map((f) => readFileSync(join(logsRoot, f), 'utf8'))
        .join('\n');
    const outcome = await waitFor(() => (ACTIVATED.test(hostLog()) ? 'activated' : GAVE_UP.test(hostLog()) ? 'gave up' : undefined), {
      timeout: 90_000,
      what: `the extension to activate in the window for ${file}`,
    }).catch((e) => e.message);
    if (outcome === 'activated') return { workspace, logsBefore };
    if (outcome !== 'gave up' || attempt === WINDOW_TRIES) {
      // Let the checks meet the window as it is: their own messages say what is missing.
      log(`${file}: ${outcome === 'gave up' ? 'VS Code did not activate the extension (it gave up searching the folder)' : outcome}; the checks run in this window anyway`);
      return { workspace, logsBefore };
    }
    log(`${file}: VS Code gave up searching the folder for pipeline files within its 7 s and did not activate the extension (a busy machine); opening the window again (${attempt + 1} of ${WINDOW_TRIES})`);
  }
}

/** The context every check of one file receives; logs are those of the file's own window. */
function checkContext({ vs, extensionDir, server }, dirs, { workspace, logsBefore }) {
  const pipelinePath = join(workspace, 'churn.pipeline.yaml');
  const logsRoot = join(dirs.userData, 'logs');
  const logFiles = (pattern) =>
    logFilesNow(dirs)
      .filter((f) => !logsBefore.has(f) && pattern.test(f))
      .map((f) => join(logsRoot, f));
  const logs = (pattern) =>
    logFiles(pattern)
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
  const pipelineText = readFileSync(pipelinePath, 'utf8');
  return {
    vs,
    page: vs.page,
    workspace,
    /**
     * Opens the churn pipeline with Quick Open and waits for the language server's verdict
     * on it in the status bar: in a window that has just opened, what the server answers
     * (definitions, completions, hovers, code lenses) is there only from then on.
     */
    openPipeline: async () => {
      await vs.quickOpen('churn.pipeline.yaml');
      await vs.statusBarShows(`churn-train: ${taskIds(pipelineText).length} tasks`, { what: 'the language server to have checked churn.pipeline.yaml (its verdict in the status bar)' });
    },
    extensionDir,
    /** The HOME code-server runs with (private to this run). */
    home: dirs.home,
    serverUrl: server.url,
    log,
    /** The churn pipeline file on disk (the unedited text checks compute positions from). */
    pipeline: { name: 'churn.pipeline.yaml', path: pipelinePath, text: pipelineText },
    locate,
    taskIds,
    taskKeyLine,
    /** Paths of VS Code's log files whose path under logs/ matches `pattern`. */
    logFiles,
    /** The text of those log files, concatenated. */
    logs,
    /** The extension host's log (the text of Output › Extension Host). */
    extensionHostLog: () => logs(/exthost\d*[\\/](remote)?exthost\.log$/),
    /** The running check's screenshot path (a check with a second window saves that window's shot beside it). */
    screenshot: undefined,
    /** Scratch space the checks of one file can share (e.g. a later check reusing an earlier finding). */
    state: {},
  };
}

async function main() {
  installExitHandlers();
  if (Number(process.versions.node.split('.')[0]) < 22) {
    // Checks that start the bundled agent use this Node, and the agent needs node:sqlite.
    log(`warning: running on Node ${process.version}; \`npm run test:e2e\` uses the project's Node 24 (checks that start the agent need ≥ 22)`);
  }
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  reapStaleGroups(join(cacheRoot(), 'e2e-runs'), log);

  const checks = await loadChecks();
  if (!checks.length) throw new Error('no checks selected (MLOPS_E2E_ONLY matches none?)');
  const dirs = makeRunDirs(mkdtempSync(join(tmpdir(), 'mlops-e2e-')));
  onCleanup(() => removeRunDirs(dirs, log));
  onCleanup(() => saveLogs(dirs));

  const results = [];
  const env = {};
  try {
    await setUp(dirs, env);
  } catch (e) {
    const shot = join(resultsDir, '00-set-up.png');
    const page = env.page;
    if (page) await page.screenshot({ path: shot }).catch(() => {});
    console.error(`e2e: set-up failed: ${e.message}`);
    for (const c of checks) results.push({ ...c, ok: false, error: 'not run: set-up failed', screenshot: undefined });
    return finish(results, `set-up failed: ${e.message}`);
  }

  let ctx;
  let windowError;
  for (const [i, check] of checks.entries()) {
    const id = `${String(i + 1).padStart(2, '0')}-${check.name}`;
    const screenshot = join(resultsDir, `${id}.png`);
    if (check.file !== checks[i - 1]?.file) {
      try {
        windowError = undefined;
        ctx = checkContext(env, dirs, await withTimeout(openWindow(env, dirs, check.file, check.settings), WINDOW_TRIES * 150_000, `the window for ${check.file}`));
      } catch (e) {
        windowError = `not run: the window for ${check.file} did not open: ${e instanceof Error ? e.message : e}`;
      }
    }
    const started = Date.now();
    let error = windowError;
    let skipped;
    if (ctx) ctx.screenshot = screenshot;
    if (!error) {
      try {
        await withTimeout(
          Promise.resolve().then(() => check.run(ctx)),
          check.timeout ?? DEFAULT_CHECK_TIMEOUT,
          `check ${check.name}`,
        );
      } catch (e) {
        if (e?.skip) skipped = e.message;
        else error = e instanceof Error ? e.message : String(e);
      }
    }
    await env.page.screenshot({ path: screenshot }).catch((e) => log(`could not save ${rel(screenshot)}: ${e.message}`));
    const ms = Date.now() - started;
    results.push({ ...check, id, ok: !error, error, skipped, screenshot, ms });
    if (skipped) {
      console.log(`  - ${check.file} › ${check.name} skipped: ${skipped}`);
    } else if (error) {
      console.log(`  ✗ ${check.file} › ${check.name} (${secs(ms)})\n      ${error.replace(/\n/g, '\n      ')}\n      screenshot: ${rel(screenshot)}`);
      await env.vs?.dismiss().catch(() => {});
    } else {
      console.log(`  ✓ ${check.file} › ${check.name} (${secs(ms)})`);
    }
  }
  return finish(results);
}

/** Copies VS Code's logs next to the screenshots, for a failure's post-mortem. */
function saveLogs(dirs) {
  const src = join(dirs.userData, 'logs');
  if (existsSync(src)) cpSync(src, join(resultsDir, 'logs'), { recursive: true });
}

function finish(results, setUpError) {
  const failed = results.filter((r) => !r.ok);
  writeFileSync(
    join(resultsDir, 'results.json'),
    JSON.stringify(
      {
        setUpError,
        seconds: Math.round((Date.now() - t0) / 1000),
        checks: results.map(({ id, file, name, ok, error, skipped, screenshot, ms }) => ({ id, file, name, ok, error, skipped, screenshot: screenshot && rel(screenshot), ms })),
      },
      null,
      2,
    ),
  );
  console.log('');
  if (failed.length) {
    console.log(`e2e: ${failed.length} of ${results.length} checks failed${setUpError ? ` (${setUpError})` : ''}:`);
    for (const r of failed) {
      console.log(`  ✗ ${r.file} › ${r.name}: ${r.error.split('\n')[0]}`);
      if (r.screenshot) console.log(`      screenshot: ${rel(r.screenshot)}`);
    }
    console.log(`Logs: ${rel(join(resultsDir, 'code-server.log'))}, ${rel(join(resultsDir, 'logs'))}/`);
  } else {
    console.log(`e2e: all ${results.length} checks passed in ${secs(Date.now() - t0)}; screenshots in ${rel(resultsDir)}/`);
  }
  const skipped = results.filter((r) => r.skipped).length;
  console.log(`${results.length - failed.length - skipped} passed, ${skipped ? `${skipped} skipped, ` : ''}${failed.length} failed`);
  return failed.length ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (e) {
  console.error(`e2e: ${e instanceof Error ? e.stack : e}`);
  console.log('0 passed, 1 failed');
} finally {
  await cleanupAll();
}
process.exit(code);
