// No execution in an untrusted workspace. A second, private code-server session with
// workspace trust on (own folders, port and process group; stopped again however the check
// ends) opens a fresh copy of examples/churn, which the fresh user data has never trusted,
// so the window is in Restricted Mode. There the extension still validates (the status bar
// health, an error squiggle for a typo), but "MLOps: Run Pipeline" from the palette is
// refused with the untrusted-workspace message, nothing runs (no .mlops/ run history, no
// data/, models/ or reports/ outputs appear in the copy), and the Runs view shows its
// untrusted welcome text with "Manage Workspace Trust". Runs last: the suite's own window
// is left as it was.
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCodeServer } from '../harness/code-server.mjs';
import { cacheRoot, repoRoot, resultsDir, vsixPath } from '../harness/config.mjs';
import { freePort, recordGroup } from '../harness/processes.mjs';
import { Workbench } from '../harness/vscode.mjs';
import { runsPane } from '../harness/runs-view.mjs';
import { expect, fatal, waitFor } from '../harness/wait.mjs';
import { copyWorkspace, installVsix, makeRunDirs, RESTRICTED_MODE_SETTINGS, removeRunDirs, startCodeServer } from '../harness/workbench-server.mjs';

const REFUSAL = /Pipelines do not run in an untrusted workspace: running one executes its commands on this machine\. Trust the folder to run them\./;
const WELCOME = 'Pipelines do not run in an untrusted workspace: running one executes its commands on this machine.';
/** What a run would leave in the project folder: the agent's history and the tasks' outputs. */
const RUN_TRACES = ['.mlops', 'data', 'models', 'reports'];

/** Which run traces exist in the workspace copy. */
const traces = (workspace) => RUN_TRACES.filter((n) => existsSync(join(workspace, n)));

export const checks = [
  {
    name: 'untrusted-workspace-validates-but-never-runs',
    timeout: 180_000,
    async run({ page, log, screenshot }) {
      const started = Date.now();
      const dirs = makeRunDirs(mkdtempSync(join(tmpdir(), 'mlops-e2e-untrusted-')), { settings: RESTRICTED_MODE_SETTINGS });
      let server;
      let tab;
      let ok = false;
      try {
        const install = await ensureCodeServer({ log });
        installVsix(install, dirs, vsixPath());
        const workspace = copyWorkspace(join(repoRoot, 'examples', 'churn'), dirs, 'churn');
        const pipelineName = 'churn.pipeline.yaml';
        const pipelineText = readFileSync(join(workspace, pipelineName), 'utf8');
        expect(traces(workspace).length === 0, `the fresh copy already holds ${JSON.stringify(traces(workspace))}`);
        server = await startCodeServer(install, dirs, {
          logFile: screenshot.replace(/\.png$/, '-code-server.log'),
          port: await freePort(),
          workspaceTrust: true,
        });
        recordGroup(join(cacheRoot(), 'e2e-runs'), { pgid: server.proc.pid, port: server.port, root: dirs.root });
        log(`untrusted session: code-server with workspace trust on ${server.url} (process group ${server.proc.pid})`);

        // A second tab of the suite's browser: its own origin, so its own window state.
        tab = await page.context().newPage();
        const vs = new Workbench(tab);
        await vs.open(server.url, workspace);

        // The window is in Restricted Mode, as the user sees it in the status bar.
        await waitFor(async () => (await vs.statusBarItems()).some((i) => /Restricted Mode/.test(i.text)), {
          timeout: 30_000,
          what: 'the status bar to show "Restricted Mode"',
          describe: async () => JSON.stringify((await vs.statusBarItems()).map((i) => i.text).filter(Boolean)),
        });

        // Validation still works: the language server's health in the status bar...
        await vs.quickOpen(pipelineName);
        const want = 'churn-train: 5 tasks';
        await waitFor(async () => (await vs.statusBarItems()).some((i) => i.text === want), {
          timeout: 30_000,
          what: `the status bar to show "${want}" from the language server in Restricted Mode`,
          describe: async () => JSON.stringify((await vs.statusBarItems()).map((i) => i.text).filter(Boolean)),
        });
        // ...and a diagnostic under a typo, which File: Revert File takes back.
        const before = pipelineText.split('\n');
        const line = before.findIndex((l) => l.includes('needs: [evaluate]')) + 1;
        expect(line > 0, `${pipelineName} has no "needs: [evaluate]"`);
        const col = before[line - 1].indexOf('needs: [evaluate]') + 1 + 'needs: [evaluate'.length;
        await vs.goto(line, col);
        await vs.keyboard.type(', trian');
        await waitFor(async () => (await vs.squiggles('error')) > 0, {
          timeout: 20_000,
          what: "an error squiggle under the unknown need 'trian' in Restricted Mode",
        });
        await vs.revertIfDirty();
        await waitFor(async () => (await vs.squiggles('error')) === 0, { what: 'the squiggle to go with the reverted typo' });

        // "MLOps: Run Pipeline" from the palette is refused with its reason and a way to trust.
        await vs.runCommand('MLOps: Run Pipeline');
        const toast = await waitFor(
          async () => {
            const toasts = await vs.recentNotifications();
            const ran = toasts.find((t) => /Running churn-train|churn-train (succeeded|failed)/.test(t));
            if (ran) throw fatal(`the pipeline ran in an untrusted workspace: ${ran}`);
            return toasts.find((t) => REFUSAL.test(t));
          },
          {
            timeout: 20_000,
            what: 'the message "Pipelines do not run in an untrusted workspace…"',
            describe: async () => JSON.stringify(await vs.notifications()),
          },
        );
        expect(/Manage Workspace Trust/.test(toast), `the refusal offers no "Manage Workspace Trust": ${toast}`);
        expect(traces(workspace).length === 0, `the refused run left ${JSON.stringify(traces(workspace))} in ${workspace}`);

        // The Runs view says why it is empty and how to trust the folder.
        await vs.runCommand('MLOps: Focus on Runs View');
        const pane = runsPane(tab);
        const welcome = await waitFor(
          async () => {
            const text = (
              await pane
                .locator('.welcome-view-content')
                .allInnerTexts()
                .catch(() => [])
            ).join('\n');
            return text.includes(WELCOME) && text;
          },
          {
            timeout: 20_000,
            what: "the Runs view's untrusted welcome text",
            describe: async () => JSON.stringify(await pane.innerText().catch((e) => e.message)),
          },
        );
        expect(/Manage Workspace Trust/.test(welcome), `the Runs view offers no "Manage Workspace Trust": ${welcome}`);
        expect(!welcome.includes('No runs yet.'), `the Runs view shows the trusted welcome too: ${welcome}`);
        expect((await pane.locator('.monaco-list-rows > .monaco-list-row').count()) === 0, 'the Runs view lists runs in an untrusted workspace');

        // Still nothing in the folder.
        expect(traces(workspace).length === 0, `the untrusted window left ${JSON.stringify(traces(workspace))} in ${workspace}`);
        ok = true;
        log(`untrusted session: validated, refused the run, left no run traces (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      } finally {
        if (tab) {
          await tab.screenshot({ path: screenshot.replace(/\.png$/, '-untrusted-window.png') }).catch(() => {});
          await tab.close().catch(() => {});
        }
        try {
          if (server) await server.stop();
        } finally {
          // The untrusted window's VS Code logs, for a failure's post-mortem.
          const logs = join(dirs.userData, 'logs');
          if (!ok && existsSync(logs)) cpSync(logs, join(resultsDir, 'logs-untrusted'), { recursive: true });
          removeRunDirs(dirs, log);
        }
      }
    },
  },
];
