// "MLOps: Show Pipeline DAG" on the churn example: the graph opens beside the pipeline with
// every task and both kinds of edges; clicking a node puts the editor cursor on that task,
// and moving the cursor into another task highlights its node.
import { webviewFrame } from '../harness/vscode.mjs';
import { expect, expectEqual, waitFor } from '../harness/wait.mjs';

const dagFrame = (page) => webviewFrame(page, 'mlops-dag-app', 'DAG');

const ACTIVATED = /ExtensionService#_doActivateExtension mlops-workbench\.mlops-workbench\b/;

export const checks = [
  {
    name: 'show-pipeline-dag-draws-every-task-beside-the-editor',
    timeout: 90_000,
    async run({ vs, page, pipeline, state, extensionHostLog, taskIds, openPipeline }) {
      await waitFor(() => ACTIVATED.test(extensionHostLog()), { timeout: 30_000, what: 'the extension to activate' });
      await openPipeline();
      await vs.runCommand('MLOps: Show Pipeline DAG');
      const frame = await dagFrame(page);
      state.dagFrame = frame;
      const ids = taskIds(pipeline.text);
      await waitFor(async () => (await frame.locator('g.node').count()) === ids.length, {
        timeout: 30_000,
        what: `the DAG to draw ${ids.length} task nodes`,
        describe: async () => `${await frame.locator('g.node').count()} nodes`,
      });
      const drawn = await frame.locator('g.node').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-id')));
      expectEqual([...drawn].sort(), [...ids].sort(), 'task nodes in the DAG');
      // churn: evaluate → report is declared (needs), the rest come from paths and references.
      expectEqual(await frame.locator('path.edge.declared').count(), 1, 'declared edges');
      expectEqual(await frame.locator('path.edge.inferred').count(), 5, 'inferred edges');
      // ELK lays small graphs out in a Web Worker started from a blob; VS Code's webview must allow it.
      // The view marks the worker ready once it laid out its warm-up graph (the first picture
      // may still be the fast layout if the graph came before that).
      await waitFor(async () => (await frame.locator('mlops-dag-app').getAttribute('data-elk')) === 'ready', {
        timeout: 20_000,
        what: 'the ELK worker to start and lay out its warm-up graph',
        describe: async () => `data-elk=${await frame.locator('mlops-dag-app').getAttribute('data-elk')}`,
      });
      // The final layout (ELK's, or the fast one if ELK was not quick enough) is drawn: nodes stay put from here on.
      await waitFor(async () => (await frame.locator('.surface[data-layout-state="done"]').count()) === 1, {
        timeout: 20_000,
        what: 'the drawing to be complete (data-layout-state="done")',
        describe: async () =>
          `state ${await frame
            .locator('.surface')
            .getAttribute('data-layout-state')
            .catch(() => '?')}`,
      });
      // Beside: the pipeline editor is still there, in another group.
      expect((await page.locator('.part.editor .editor-group-container').count()) >= 2, 'the DAG did not open beside the editor');
    },
  },
  {
    name: 'clicking-a-dag-node-moves-the-editor-to-its-task',
    timeout: 60_000,
    async run({ vs, page, pipeline, state, taskKeyLine }) {
      const frame = state.dagFrame ?? (await dagFrame(page));
      await frame.locator('g.node[data-id="evaluate"]').click();
      const line = taskKeyLine(pipeline.text, 'evaluate');
      await waitFor(async () => (await vs.activeTabLabel())?.startsWith(pipeline.name), {
        what: `the editor of ${pipeline.name} to become active`,
        describe: async () => JSON.stringify(await vs.activeTabLabel()),
      });
      await vs.expectCursor(line, 3, { what: `the cursor on task 'evaluate' (Ln ${line}, Col 3) after clicking its node` });
      expect(/\bselected\b/.test((await frame.locator('g.node[data-id="evaluate"]').getAttribute('class')) ?? ''), 'the clicked node is not selected');
    },
  },
  {
    name: 'moving-the-cursor-into-a-task-highlights-its-node',
    timeout: 60_000,
    async run({ vs, page, pipeline, state, taskKeyLine }) {
      const frame = state.dagFrame ?? (await dagFrame(page));
      await vs.goto(taskKeyLine(pipeline.text, 'train') + 2, 7);
      await waitFor(async () => /\bselected\b/.test((await frame.locator('g.node[data-id="train"]').getAttribute('class')) ?? ''), {
        what: "the node 'train' to be highlighted when the cursor is in its task",
        describe: async () => frame.locator('g.node.selected').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-id')).join(',')),
      });
    },
  },
];
