// "MLOps: Run Pipeline" from the command palette runs examples/churn through the agent the
// extension starts (VS Code's own runtime, JSON-RPC over stdio): a progress notification
// follows it, the success message names the five tasks, the Runs view lists the run with
// five succeeded tasks, selecting a task opens its log, and the DAG marks every node
// succeeded; "Run from here" above evaluate runs evaluate and report; a pipeline with an
// error is saved and refused with its line.
import { writeFileSync } from 'node:fs';
import { webviewFrame } from '../harness/vscode.mjs';
import { runRows, runsRow } from '../harness/runs-view.mjs';
import { expect, expectEqual, fatal, outputTail, waitFor } from '../harness/wait.mjs';

const TASKS = ['ingest', 'featurize', 'train', 'evaluate', 'report'];

/** How many tasks a run row's accessible label counts ("churn-train succeeded, 1 succeeded, 1 cached" → 2). */
function taskTotal(aria) {
  const counts = aria.matchAll(/(\d+) (pending|running|succeeded|failed|cached|skipped|cancelled|interrupted)\b/g);
  return [...counts].reduce((n, m) => n + Number(m[1]), 0);
}

const dagFrame = (page) => webviewFrame(page, 'mlops-dag-app', 'DAG');

export const checks = [
  {
    name: 'run-pipeline-from-the-palette-succeeds',
    timeout: 150_000,
    async run({ vs, page, logs, log, openPipeline }) {
      await openPipeline();
      await vs.runCommand('MLOps: Run Pipeline');
      const progress = new Set();
      const toast = await waitFor(
        async () => {
          const toasts = await vs.recentNotifications();
          for (const t of toasts) if (/Running churn-train/.test(t)) progress.add(t.replace(/\s+/g, ' '));
          const bad = toasts.find((t) => /churn-train (failed|was cancelled|was interrupted)|did not start|Pipelines do not run|MLOps agent/.test(t));
          if (bad) throw fatal(`the run did not succeed: ${bad}`);
          return toasts.find((t) => /churn-train succeeded: 5 tasks in [\d.]+ (ms|s)/.test(t));
        },
        {
          timeout: 120_000,
          interval: 100,
          what: 'the notification "churn-train succeeded: 5 tasks in …"',
          describe: async () => `toasts ${JSON.stringify(await vs.notifications())}; MLOps output: ${outputTail(logs)}`,
        },
      );
      log(`progress seen: ${JSON.stringify([...progress])}`);
      expect(progress.size > 0, 'no "Running churn-train" progress notification was shown while the pipeline ran');
      expect(
        [...progress].some((p) => /\d\/5 tasks/.test(p)),
        `the progress notification never counted tasks: ${JSON.stringify([...progress])}`,
      );
      expect(/Show Log/.test(toast) && /Show Runs/.test(toast), `the success message offers no Show Log / Show Runs: ${toast}`);
      // "Show Runs" reveals the run in the Runs view (checked next).
      await vs.clickNotificationButton(
        /churn-train succeeded/,
        'Show Runs',
        async () =>
          (await runsRow(page, 'churn-train')
            .getAttribute('aria-selected')
            .catch(() => null)) === 'true',
      );
    },
  },
  {
    name: 'runs-view-lists-the-run-with-five-succeeded-tasks',
    timeout: 60_000,
    async run({ page }) {
      await runsRow(page, 'churn-train').waitFor({ state: 'visible', timeout: 20_000 });
      await waitFor(async () => (await runsRow(page, 'churn-train').getAttribute('aria-selected')) === 'true', {
        what: '"Show Runs" to select the run in the Runs view',
        describe: async () => JSON.stringify(await runRows(page)),
      });
      const seen = await waitFor(
        async () => {
          const rows = await runRows(page);
          const i = rows.findIndex((r) => r.label === 'churn-train');
          const tasks = i === -1 ? [] : rows.slice(i + 1, i + 1 + TASKS.length);
          return tasks.length === TASKS.length && tasks.every((t) => / succeeded in /.test(t.aria)) && { run: rows[i], tasks };
        },
        { timeout: 30_000, what: 'the Runs view to list churn-train with five succeeded tasks', describe: async () => JSON.stringify(await runRows(page)) },
      );
      expectEqual(
        seen.tasks.map((t) => t.label),
        TASKS,
        'tasks of the run, in order',
      );
      expect(
        seen.tasks.every((t) => t.icons.includes('codicon-pass')),
        `not every task shows the pass icon: ${JSON.stringify(seen.tasks.map((t) => t.icons))}`,
      );
      expect(
        seen.tasks.every((t) => /^[\d.]+ (ms|s)$/.test(t.description)),
        `tasks do not show their durations: ${JSON.stringify(seen.tasks.map((t) => t.description))}`,
      );
      expect(seen.run.icons.includes('codicon-pass'), `the run does not show the pass icon: ${JSON.stringify(seen.run)}`);
      expect(/^(just now|\d+ min ago) · [\d.]+ (ms|s)$/.test(seen.run.description), `the run's description is "${seen.run.description}"`);
      expect(/churn-train succeeded, 5 succeeded/.test(seen.run.aria), `the run's accessible label is "${seen.run.aria}"`);
    },
  },
  {
    name: 'selecting-a-task-opens-its-log',
    async run({ vs, page }) {
      await runsRow(page, 'train').click();
      await waitFor(async () => (await vs.activeTabLabel())?.startsWith('train.log'), {
        what: "train's log to open in an editor",
        describe: async () => `active tab ${JSON.stringify(await vs.activeTabLabel())}`,
      });
      const lines = await waitFor(
        async () => {
          const l = await vs.visibleLines();
          return l.some((x) => /held-out: .*auc=0\.\d+/.test(x)) && l;
        },
        { what: "train's log to show the held-out metrics", describe: async () => JSON.stringify(await vs.visibleLines()) },
      );
      expect(
        lines.some((l) => /epoch\s+200/.test(l)),
        `the log misses the last epoch: ${JSON.stringify(lines)}`,
      );
    },
  },
  {
    name: 'dag-marks-every-task-succeeded',
    timeout: 90_000,
    async run({ vs, page, pipeline }) {
      // The pipeline's tab is still open from the first check: bring it forward.
      const tab = page.locator('.part.editor .tab', { hasText: pipeline.name }).first();
      if (await tab.count()) await tab.click();
      else await vs.quickOpen(pipeline.name);
      await waitFor(async () => (await vs.activeTabLabel())?.startsWith(pipeline.name), {
        what: `the editor of ${pipeline.name} to be active`,
        describe: async () => `active tab ${JSON.stringify(await vs.activeTabLabel())}`,
      });
      await vs.runCommand('MLOps: Show Pipeline DAG');
      const frame = await dagFrame(page);
      await waitFor(async () => (await frame.locator('g.node.status-succeeded').count()) === TASKS.length, {
        timeout: 30_000,
        what: 'every node of the DAG to be marked succeeded by the run overlay',
        describe: async () => JSON.stringify(await frame.locator('g.node').evaluateAll((gs) => gs.map((g) => `${g.getAttribute('data-id')}: ${g.getAttribute('class')}`))),
      });
    },
  },
  {
    name: 'run-from-here-code-lens-runs-evaluate-and-report',
    timeout: 120_000,
    async run({ vs, page, pipeline, taskKeyLine, logs }) {
      const tab = page.locator('.part.editor .tab', { hasText: pipeline.name }).first();
      if (await tab.count()) await tab.click();
      else await vs.quickOpen(pipeline.name);
      await vs.goto(taskKeyLine(pipeline.text, 'evaluate'), 3);
      // The lens row sits in a view zone right above the task's key (measured again each
      // time: lenses arriving push the lines down).
      const lenses = page.locator('.part.editor .editor-group-container.active .monaco-editor .codelens-decoration');
      const index = await waitFor(
        async () => {
          const cursor = await vs.cursorBox();
          const tops = await lenses.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
          const i = tops.findIndex((t) => t < cursor.y && cursor.y - t < cursor.height * 2.5);
          return i === -1 ? undefined : i + 1;
        },
        { what: "the code lenses above task 'evaluate'" },
      );
      await lenses
        .nth(index - 1)
        .locator('a', { hasText: 'Run from here' })
        .click();
      // Wait on what stays — the newest run in the Runs view — not on the toast, which a busy
      // machine may hide before it is looked at (the tasks can all come from the cache in
      // milliseconds).
      await vs.runCommand('MLOps: Focus on Runs View');
      const newest = await waitFor(
        async () => {
          const rows = await runRows(page);
          const row = rows.find((r) => r.index === 0);
          if (!row || row.label !== 'churn-train' || taskTotal(row.aria) !== 2) {
            await vs.keyboard.press('Home'); // the newest run is the first row; the list may be scrolled
            return undefined;
          }
          return row;
        },
        {
          timeout: 90_000,
          what: 'the newest run in the Runs view to be churn-train with two tasks',
          describe: async () => `rows ${JSON.stringify(await runRows(page))}; MLOps output: ${outputTail(logs)}`,
        },
      );
      expect(/^churn-train succeeded, /.test(newest.aria) && newest.icons.includes('codicon-pass'), `the "Run from here" run did not succeed: ${JSON.stringify(newest)}`);
      // "Show Log" of a success opens the whole run's log: each task's under a header.
      await vs.clickNotificationButton(/churn-train succeeded: 2 tasks/, 'Show Log', async () => (await vs.activeTabLabel())?.startsWith('churn-train.log'));
      await waitFor(async () => (await vs.activeTabLabel())?.startsWith('churn-train.log'), {
        what: "the run's log to open",
        describe: async () => `active tab ${JSON.stringify(await vs.activeTabLabel())}`,
      });
      const headers = await waitFor(
        async () => {
          const h = (await vs.visibleLines()).filter((l) => l.startsWith('=== '));
          return h.length === 2 && h;
        },
        { what: 'the run log to have a header per task', describe: async () => JSON.stringify(await vs.visibleLines()) },
      );
      // Which tasks the run held, in order: evaluate and everything after it, nothing before.
      expect(/^=== evaluate \((succeeded|cached)/.test(headers[0]) && /^=== report \((succeeded|cached)/.test(headers[1]), `run log headers: ${JSON.stringify(headers)}`);
    },
  },
  {
    name: 'a-pipeline-with-an-error-is-saved-and-refused-with-its-line',
    timeout: 60_000,
    async run({ vs, page, pipeline, locate }) {
      const at = locate(pipeline.text, 'needs: [evaluate]');
      try {
        const tab = page.locator('.part.editor .tab', { hasText: pipeline.name }).first();
        if (await tab.count()) await tab.click();
        else await vs.quickOpen(pipeline.name);
        await vs.goto(at.line, at.col + 'needs: [evaluate'.length);
        await vs.keyboard.type(', trian');
        // Unsaved: Run Pipeline saves it first, so the agent checks what the editor shows.
        await vs.runCommand('MLOps: Run Pipeline');
        const toast = await waitFor(async () => (await vs.recentNotifications()).find((t) => /churn\.pipeline\.yaml did not run/.test(t)), {
          timeout: 30_000,
          what: 'the message "churn.pipeline.yaml did not run — line …"',
          describe: async () => JSON.stringify(await vs.notifications()),
        });
        expect(toast.includes(`line ${at.line}:`) && toast.includes("'trian'"), `the refusal does not name line ${at.line} and 'trian': ${toast}`);
        expect(/Show Problems/.test(toast), `the refusal offers no Show Problems: ${toast}`);
        expect(!(await page.locator('.part.editor .tab.active.dirty').count()), 'the pipeline was not saved before the run was asked for');
      } finally {
        await vs.dismiss();
        const tab = page.locator('.part.editor .tab', { hasText: pipeline.name }).first();
        if (await tab.count()) await tab.click();
        // Put the file back as it was on disk; the (saved, so clean) editor follows the file.
        await vs.revertIfDirty();
        writeFileSync(pipeline.path, pipeline.text);
        await waitFor(async () => !(await vs.visibleLines()).some((l) => /evaluate,/.test(l)), {
          what: 'the editor to show the restored pipeline',
          describe: async () => JSON.stringify((await vs.visibleLines()).filter((l) => l.includes('needs'))),
        });
      }
    },
  },
];
