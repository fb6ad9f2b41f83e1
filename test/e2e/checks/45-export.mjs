// "MLOps: Export to Argo Workflows" on the churn example, a folder that is no git repository:
// the destination pick offers the file beside the pipeline first, the CLI refuses the git
// checkout step and the message offers the code on the volume instead, and then the
// CronWorkflow opens in an editor and is on disk. The DAG view's toolbar offers the same
// command.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { webviewFrame } from '../harness/vscode.mjs';
import { expect, outputTail, waitFor } from '../harness/wait.mjs';

const MANIFEST = 'churn.argo.yaml';
const ACTIVATED = /ExtensionService#_doActivateExtension mlops-workbench\.mlops-workbench\b/;

async function destinationPick(vs) {
  await waitFor(async () => (await vs.quickInputRows()).some((l) => l.includes(MANIFEST)), {
    timeout: 20_000,
    what: `the destination pick to offer ${MANIFEST}`,
    describe: async () => JSON.stringify(await vs.quickInputRows()),
  });
  const rows = await vs.quickInputRows();
  expect(rows[0]?.includes(MANIFEST) && /beside the pipeline/.test(rows[0]), `the first choice is not the file beside the pipeline: ${JSON.stringify(rows)}`);
  expect(
    rows.some((r) => /Choose a location/.test(r)),
    `no "Choose a location…" choice: ${JSON.stringify(rows)}`,
  );
}

/**
 * Closes every editor and clears the editor history: Quick Open otherwise offers the manifest
 * (opened last) first, and a later check typing the pipeline's name would open the manifest.
 */
async function forgetManifest(vs) {
  await vs.runCommand('View: Close All Editors');
  await vs.runCommand('Clear Editor History');
  // VS Code asks first, in a modal dialog.
  const clear = vs.page.locator('.monaco-dialog-box').getByRole('button', { name: 'Clear' });
  await clear.waitFor({ timeout: 10_000 });
  await clear.click();
  await vs.page.locator('.monaco-dialog-box').waitFor({ state: 'detached', timeout: 10_000 });
}

export const checks = [
  {
    name: 'export-to-argo-writes-the-manifest-beside-the-pipeline-and-opens-it',
    timeout: 150_000,
    async run({ vs, page, pipeline, workspace, logs, extensionHostLog }) {
      // Run first in a fresh window, the palette lists the extension's commands once it is up.
      await waitFor(() => ACTIVATED.test(extensionHostLog()), { timeout: 30_000, what: 'the extension to activate' });
      const file = join(workspace, MANIFEST);
      rmSync(file, { force: true });
      await vs.quickOpen(pipeline.name);
      await vs.runCommand('MLOps: Export to Argo Workflows', { opensPick: true });
      await destinationPick(vs);
      // Clicked once the widget is live: right after the palette closes, the same widget is inert
      // for a moment while it animates, and a key or click then is lost.
      await page.locator('.quick-input-widget:not(.quick-input-widget-closing):not([inert]) .monaco-list-row', { hasText: 'beside the pipeline' }).first().click();
      await page
        .locator('.quick-input-widget', { hasText: 'Write the Argo manifest to' })
        .waitFor({ state: 'hidden', timeout: 10_000 })
        .catch(async () => {
          throw new Error(`the destination pick stayed open after choosing the file beside the pipeline: ${JSON.stringify(await vs.quickInputRows())}`);
        });
      const refusal = /is not in a git repository with a commit/;
      await waitFor(async () => (await vs.recentNotifications()).some((t) => refusal.test(t)), {
        timeout: 60_000,
        what: 'the message that the folder is no git repository',
        describe: async () => `toasts ${JSON.stringify(await vs.notifications())}; output: ${outputTail(logs)}`,
      });
      await vs.clickNotificationButton(refusal, 'Use the Code on the Volume');
      await waitFor(async () => (await vs.activeTabLabel())?.startsWith(MANIFEST), {
        timeout: 60_000,
        what: `${MANIFEST} to open in an editor`,
        describe: async () => `active tab ${JSON.stringify(await vs.activeTabLabel())}; output: ${outputTail(logs)}`,
      });
      expect(existsSync(file), `${MANIFEST} is not on disk beside the pipeline`);
      const text = readFileSync(file, 'utf8');
      expect(/^kind: CronWorkflow$/m.test(text), 'the manifest is not a CronWorkflow');
      expect(/^\s+timezone: Europe\/Berlin$/m.test(text), 'the schedule lost its time zone');
      expect(!/name: checkout$/m.test(text), 'a checkout step was written although the code is on the volume');
      for (const task of ['ingest', 'featurize', 'train', 'evaluate', 'report']) expect(new RegExp(`^\\s+- name: ${task}$`, 'm').test(text), `task ${task} is missing from the manifest`);
      await waitFor(async () => (await vs.recentNotifications()).some((t) => /Wrote churn\.argo\.yaml: a CronWorkflow of 5 tasks/.test(t)), {
        timeout: 20_000,
        what: 'the message naming what was written',
        describe: async () => JSON.stringify(await vs.notifications()),
      });
      await forgetManifest(vs);
    },
  },
  {
    name: 'the-dag-toolbar-offers-export-to-argo',
    timeout: 90_000,
    async run({ vs, page, pipeline, extensionHostLog }) {
      await waitFor(() => ACTIVATED.test(extensionHostLog()), { timeout: 30_000, what: 'the extension to activate' });
      await forgetManifest(vs);
      await vs.quickOpen(pipeline.name);
      await vs.runCommand('MLOps: Show Pipeline DAG');
      const frame = await webviewFrame(page, 'mlops-dag-app', 'DAG');
      const button = frame.locator('vscode-toolbar-button.export-argo');
      await button.waitFor({ timeout: 30_000 });
      await waitFor(async () => (await button.getAttribute('disabled')) === null, { timeout: 20_000, what: 'the Argo export button to be enabled in a trusted workspace' });
      await button.click();
      await destinationPick(vs);
      await page.keyboard.press('Escape');
    },
  },
];
