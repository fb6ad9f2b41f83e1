// Opening a folder with a pipeline in it activates the extension, without opening a file;
// opening the pipeline starts the language server, whose verdict shows in the status bar.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultsDir } from '../harness/config.mjs';
import { expect, waitFor } from '../harness/wait.mjs';

const ACTIVATED = /ExtensionService#_doActivateExtension mlops-workbench\.mlops-workbench\b/;
// The client says once per activation how long the first diagnostics took (client/src/ctx.ts).
const FIRST_DIAGNOSTICS = /First diagnostics \(([^)]+)\) (\d+) ms after activation\./g;
// The failure line ends in "failed due to an error:"; the error itself is on the next line.
const FAILED = /Activating extension '?mlops-workbench\.mlops-workbench'? failed[^\n]*(\n[^\n]*)?/;

export const checks = [
  {
    name: 'workbench-lists-the-churn-project',
    async run({ vs }) {
      const items = await waitFor(
        async () => {
          const names = await vs.explorerItems();
          return names.includes('churn.pipeline.yaml') && names.includes('churn.features.yaml') && names;
        },
        { what: 'the explorer to list churn.pipeline.yaml and churn.features.yaml', describe: async () => JSON.stringify(await vs.explorerItems()) },
      );
      expect(items.length > 2, `the explorer lists only ${JSON.stringify(items)}`);
    },
  },
  {
    name: 'extension-activates-on-open-folder',
    async run({ vs, extensionHostLog, logFiles }) {
      // The extension host logs each activation; Output › Extension Host shows the same text.
      await waitFor(() => ACTIVATED.test(extensionHostLog()), {
        timeout: 30_000,
        what: 'the extension host to activate mlops-workbench.mlops-workbench (workspaceContains:**/*.pipeline.yaml)',
        describe: () => (extensionHostLog().match(/_doActivateExtension [^\n]*/g) ?? ['no activation logged']).join('; '),
      });
      // activate() either throws (logged by the host) or creates the extension's output channel.
      await waitFor(() => FAILED.test(extensionHostLog()) || logFiles(/mlops-workbench\.mlops-workbench[\\/]/).length > 0, {
        timeout: 30_000,
        what: "activate() to finish (the 'MLOps Workbench' output channel or an activation error)",
      });
      const failed = FAILED.exec(extensionHostLog());
      expect(!failed, `the extension failed to activate: ${failed?.[0].replace(/\s+/g, ' ')}`);
      // The notification center keeps every notification of the window, also those whose toast has gone.
      const raised = (await vs.notificationCenter()).filter((t) => /mlops/i.test(t));
      expect(raised.length === 0, `activation raised notifications: ${JSON.stringify(raised)}`);
    },
  },
  {
    name: 'language-server-reports-pipeline-health',
    async run({ vs, pipeline, taskIds, logs }) {
      await vs.quickOpen(pipeline.name);
      // The status bar item is fed by the server's mlops/status after it validated the file.
      const want = `churn-train: ${taskIds(pipeline.text).length} tasks`;
      await waitFor(async () => (await vs.statusBarItems()).some((i) => i.text === want), {
        timeout: 30_000,
        what: `the status bar to show "${want}" from the language server`,
        describe: async () =>
          `status bar ${JSON.stringify((await vs.statusBarItems()).map((i) => i.text).filter(Boolean))}; ` +
          `notifications ${JSON.stringify(await vs.notificationCenter())}; ` +
          `MLOps output: ${JSON.stringify(
            logs(/MLOps Workbench\.log$/)
              .trim()
              .split('\n')
              .slice(-3),
          )}`,
      });
    },
  },
  {
    // What a user waits for when the editor opens with a pipeline already open: reload the
    // window with churn.pipeline.yaml in the editor, so activation, the server's start and the
    // first check run with nothing of the harness in between. Reported, not bounded.
    name: 'activation-to-first-diagnostics-is-measured',
    timeout: 120_000,
    async run({ vs, pipeline, logs, log }) {
      await vs.quickOpen(pipeline.name);
      const seen = () => [...logs(/MLOps Workbench\.log$/).matchAll(FIRST_DIAGNOSTICS)];
      const before = seen().length;
      await vs.runCommand('Developer: Reload Window');
      await vs.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90_000 });
      const lines = await waitFor(
        () => {
          const all = seen();
          return all.length > before && all;
        },
        {
          timeout: 90_000,
          what: 'the reloaded window to log its first diagnostics ("First diagnostics (…) N ms after activation.")',
          describe: () =>
            JSON.stringify(
              logs(/MLOps Workbench\.log$/)
                .trim()
                .split('\n')
                .slice(-4),
            ),
        },
      );
      const [, file, ms] = lines[lines.length - 1];
      expect(file === pipeline.name, `the first diagnostics after the reload were for ${file}, not ${pipeline.name}`);
      log(`activation → first diagnostics (${file}, reloaded window): ${ms} ms`);
      writeFileSync(join(resultsDir, 'startup.json'), `${JSON.stringify({ activationToFirstDiagnosticsMs: Number(ms), file }, null, 2)}\n`);
    },
  },
];
