// "MLOps: Generate Dev Container" on the churn example: the wizard opens with what was
// detected, "Write" puts .devcontainer/ on disk and in the explorer.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { webviewFrame } from '../harness/vscode.mjs';
import { expect, expectEqual, waitFor } from '../harness/wait.mjs';

const wizardFrame = (page) => webviewFrame(page, 'mlops-dc-app', 'dev container wizard');

const text = (frame, selector) =>
  frame
    .locator(selector)
    .first()
    .innerText()
    .catch(() => '');

const ACTIVATED = /ExtensionService#_doActivateExtension mlops-workbench\.mlops-workbench\b/;

export const checks = [
  {
    name: 'generate-dev-container-opens-the-wizard-with-the-detected-facts',
    timeout: 90_000,
    async run({ vs, page, state, extensionHostLog }) {
      // The palette lists the extension's commands once the extension host has loaded it.
      await waitFor(() => ACTIVATED.test(extensionHostLog()), { timeout: 30_000, what: 'the extension to activate' });
      await vs.runCommand('MLOps: Generate Dev Container');
      const frame = await wizardFrame(page);
      state.devcontainerFrame = frame;
      await waitFor(async () => (await text(frame, 'mlops-dc-facts dd.manifests')) === 'requirements.txt (requirements)', {
        what: 'the wizard to list requirements.txt as the manifest',
        describe: () => text(frame, 'mlops-dc-facts'),
      });
      // churn.pipeline.yaml: train asks for 1 cpu and 1Gi, no task wants a GPU.
      expectEqual(await text(frame, 'mlops-dc-facts dd.gpu'), 'none', 'detected GPU need');
      await waitFor(async () => /Base python:3\.12-slim-bookworm · Python 3\.12 · CPU only/.test(await text(frame, 'mlops-dc-app .summary')), {
        what: 'the preview summary to name the Python slim base',
        describe: () => text(frame, 'mlops-dc-app .summary'),
      });
      expectEqual((await text(frame, 'mlops-dc-app #write')).trim(), 'Write 2 files', 'the write button');
    },
  },
  {
    name: 'writing-puts-devcontainer-files-in-the-explorer',
    timeout: 90_000,
    async run({ vs, page, workspace, state }) {
      const frame = state.devcontainerFrame ?? (await wizardFrame(page));
      const dir = join(workspace, '.devcontainer');
      await frame.locator('mlops-dc-app #write').click();
      await waitFor(() => existsSync(join(dir, 'devcontainer.json')) && existsSync(join(dir, 'Dockerfile')), {
        what: '.devcontainer/devcontainer.json and .devcontainer/Dockerfile to be written',
      });
      await waitFor(async () => (await vs.explorerItems()).includes('.devcontainer'), {
        what: 'the explorer to show .devcontainer',
        describe: async () => JSON.stringify(await vs.explorerItems()),
      });
      const json = readFileSync(join(dir, 'devcontainer.json'), 'utf8');
      expect(/"BASE_IMAGE": "python:3\.12-slim-bookworm"/.test(json), `devcontainer.json names another base: ${json.slice(0, 400)}`);
      expect(/"hostRequirements": \{\s*"cpus": 1,\s*"memory": "1gb"\s*\}/.test(json), "hostRequirements are not the churn pipeline's cpu 1 / memory 1Gi");
      expect(/^FROM \$\{BASE_IMAGE\}$/m.test(readFileSync(join(dir, 'Dockerfile'), 'utf8')), 'the Dockerfile has no FROM ${BASE_IMAGE}');
      await waitFor(async () => /Wrote \.devcontainer\/devcontainer\.json and \.devcontainer\/Dockerfile\./.test(await text(frame, 'mlops-dc-app .banner')), {
        what: 'the wizard to confirm the write',
        describe: () => text(frame, 'mlops-dc-app .banner'),
      });
    },
  },
];
