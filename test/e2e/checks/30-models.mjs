// After the churn pipeline has run (with the agent bundled in the installed extension, in
// the opened folder), the Models view lists churn-classifier v1 and, expanded, its eight
// artifact groups; an artifact opens on click, an alias set from the palette shows as a
// badge, a second run adds v2 and the two compare side by side, and saving a change to the
// feature view's transformation flags the versions stale. The Feature Catalog view lists
// customer_stats.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, waitFor } from '../harness/wait.mjs';

const GROUPS = ['definition', 'parameters', 'functions', 'dependencies', 'data', 'code', 'experiment', 'tags'];

/** Label and description of every visible row of the side bar's trees. */
function sideBarRows(page) {
  return page.locator('.part.sidebar .monaco-list-row').evaluateAll((rows) =>
    rows.map((r) => ({
      label: (r.querySelector('.label-name')?.textContent ?? '').trim(),
      description: (r.querySelector('.label-description')?.textContent ?? '').trim(),
      expanded: r.getAttribute('aria-expanded'),
    })),
  );
}

/** Runs the churn pipeline with the agent bundled in the installed extension, in the opened folder. */
function runChurn({ workspace, extensionDir, log }, ...extra) {
  const agent = join(extensionDir, 'dist', 'agent.js');
  const r = spawnSync(process.execPath, [agent, 'run', 'churn.pipeline.yaml', ...extra], { cwd: workspace, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  expect(r.status === 0, `mlops run churn.pipeline.yaml ${extra.join(' ')} exited ${r.status}: ${r.stderr || r.stdout}`);
  log(`ran the churn pipeline ${extra.join(' ')} with ${agent}`);
}

/** The side bar row whose label is exactly `label` (the first one). */
function row(page, label) {
  return page.locator('.part.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) }).first();
}

/**
 * Runs a palette command that answers with an input box of its own (so the palette is not
 * waited on to close) and waits for the box titled `title`.
 */
async function runCommandAskingInput(vs, page, label, title) {
  await vs.runCommand(label, { opensPick: true });
  await waitFor(
    async () =>
      (
        await page
          .locator('.quick-input-widget:visible .quick-input-title')
          .innerText()
          .catch(() => '')
      ).includes(title),
    {
      what: `an input box titled "${title}"`,
    },
  );
}

/** Waits until the row labelled `label` shows a description matching `pattern`. */
async function waitForDescription(page, label, pattern, what) {
  return waitFor(async () => (await sideBarRows(page)).find((r) => r.label === label && pattern.test(r.description)), {
    timeout: 30_000,
    what,
    describe: async () => JSON.stringify((await sideBarRows(page)).filter((r) => /^v\d+$/.test(r.label) || r.label === label)),
  });
}

export const checks = [
  {
    name: 'models-view-shows-churn-classifier-with-eight-groups',
    timeout: 180_000,
    async run(ctx) {
      const { vs, page } = ctx;
      runChurn(ctx);
      await vs.runCommand('MLOps: Focus on Models View');
      const version = await waitFor(
        async () => {
          const rows = await sideBarRows(page);
          const i = rows.findIndex((r) => r.label === 'churn-classifier');
          return i !== -1 && rows.slice(i + 1).find((r) => r.label === 'v1');
        },
        { timeout: 60_000, what: 'the Models view to list churn-classifier with version v1', describe: async () => JSON.stringify(await sideBarRows(page)) },
      );
      expect(/auc 0\.\d+/.test(version.description), `v1 shows no headline metric: "${version.description}"`);
      await page
        .locator('.part.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: /^v1$/ }) })
        .first()
        .click();
      const groups = await waitFor(
        async () => {
          const labels = (await sideBarRows(page)).map((r) => r.label);
          const start = labels.indexOf('v1');
          const after = labels.slice(start + 1, start + 1 + GROUPS.length);
          return GROUPS.every((g, k) => after[k] === g) && after;
        },
        { what: `v1 to expand into ${GROUPS.join(', ')}`, describe: async () => JSON.stringify((await sideBarRows(page)).map((r) => r.label)) },
      );
      expect(groups.length === 8, `expected eight groups, saw ${JSON.stringify(groups)}`);
    },
  },
  {
    name: 'selecting-the-model-file-opens-it',
    async run({ vs, page }) {
      await row(page, 'parameters').click();
      await waitFor(async () => (await sideBarRows(page)).some((r) => r.label === 'models/churn.json'), { what: 'the parameters group to list models/churn.json' });
      await row(page, 'models/churn.json').click();
      await waitFor(async () => (await vs.activeTabLabel())?.startsWith('churn.json'), {
        what: 'models/churn.json to open in an editor',
        describe: async () => `active tab ${JSON.stringify(await vs.activeTabLabel())}`,
      });
      await row(page, 'parameters').click();
    },
  },
  {
    name: 'set-alias-from-the-palette-shows-a-badge',
    async run({ vs, page }) {
      await row(page, 'v1').click({ button: 'left' });
      await runCommandAskingInput(vs, page, 'MLOps: Set Model Alias…', 'Alias for churn-classifier v1');
      await vs.keyboard.type('champion');
      await vs.keyboard.press('Enter');
      await waitForDescription(page, 'v1', /@champion/, 'v1 to carry the @champion badge');
    },
  },
  {
    name: 'a-second-run-adds-v2-and-compare-opens-a-side-by-side-diff',
    timeout: 120_000,
    async run(ctx) {
      const { vs, page } = ctx;
      runChurn(ctx, '--force', '--param', 'lr=0.3');
      // The agent touches .mlops/registry.changed; the view refreshes by itself.
      await waitFor(async () => (await sideBarRows(page)).some((r) => r.label === 'v2'), {
        timeout: 30_000,
        what: 'v2 to appear after the second run',
        describe: async () => JSON.stringify((await sideBarRows(page)).map((r) => r.label)),
      });
      await row(page, 'v2').click();
      await vs.runCommand('MLOps: Compare Model Versions…');
      await waitFor(async () => /churn-classifier v1 ↔ v2/.test((await vs.activeTabLabel()) ?? ''), {
        what: 'a diff editor titled "churn-classifier v1 ↔ v2"',
        describe: async () => `active tab ${JSON.stringify(await vs.activeTabLabel())}`,
      });
      const lines = () => page.locator('.part.editor .editor-group-container.active .monaco-diff-editor .view-line').allInnerTexts();
      await waitFor(async () => (await lines()).some((l) => /^lr\s+0\.3$/.test(l.replace(/\u00a0/g, ' ').trim())), {
        what: 'the comparison to show lr 0.3 for v2',
        describe: async () => JSON.stringify((await lines()).slice(0, 12)),
      });
    },
  },
  {
    name: 'changing-the-transformation-flags-versions-stale',
    async run({ vs, page, workspace }) {
      const file = join(workspace, 'src', 'features', 'customer_stats.py');
      const before = readFileSync(file, 'utf8');
      try {
        await vs.quickOpen('customer_stats.py');
        await vs.focusEditor();
        await vs.keyboard.press('Control+End');
        await vs.keyboard.type('\n# changed after training\n');
        await vs.keyboard.press('Control+S');
        await waitFor(() => readFileSync(file, 'utf8') !== before, { what: 'customer_stats.py to be saved' });
        await vs.runCommand('MLOps: Focus on Models View');
        await waitForDescription(page, 'v2', /stale/, 'v2 to be flagged stale after the transformation changed');
        const tip = (await sideBarRows(page)).find((r) => r.label === 'v1');
        expect(/stale/.test(tip?.description ?? ''), `v1 is not flagged stale: ${JSON.stringify(tip)}`);
        // Restoring the file outside the editor (as git checkout would) clears the flag.
        writeFileSync(file, before);
        await waitForDescription(page, 'v2', /^(?!.*stale)/, 'v2 to be consistent again once the transformation is restored on disk');
      } finally {
        writeFileSync(file, before);
      }
    },
  },
  {
    name: 'feature-catalog-view-lists-customer-stats',
    async run({ vs, page, workspace, locate }) {
      await vs.runCommand('MLOps: Focus on Feature Catalog View');
      await waitFor(async () => (await sideBarRows(page)).some((r) => r.label === 'customer_stats' && /9 features/.test(r.description)), {
        what: 'the Feature Catalog view to list customer_stats with its 9 features',
        describe: async () => JSON.stringify(await sideBarRows(page)),
      });
      // Selecting a view or a feature goes to its definition.
      const catalog = readFileSync(join(workspace, 'churn.features.yaml'), 'utf8');
      await row(page, 'customer_stats').click();
      const view = locate(catalog, '  customer_stats:');
      await vs.expectCursor(view.line, 3, { what: `customer_stats to open churn.features.yaml at its key (Ln ${view.line}, Col 3)` });
      await row(page, 'customer_stats').locator('.monaco-tl-twistie').click();
      await waitFor(async () => (await sideBarRows(page)).some((r) => r.label === 'orders_30d'), { what: 'customer_stats to list its features' });
      await row(page, 'orders_30d').click();
      const feature = locate(catalog, '      orders_30d:');
      await vs.expectCursor(feature.line, 7, { what: `orders_30d to move the cursor to its key (Ln ${feature.line}, Col 7)` });
      // Give the catalog the whole side bar, so its lower rows are drawn.
      await page
        .locator('.part.sidebar .pane-header', { hasText: /^Models/ })
        .first()
        .click();
      const used = await waitFor(async () => (await sideBarRows(page)).find((r) => r.label === 'churn-train › featurize'), { what: '"used by" to list the featurize task of churn-train' });
      expect(used.description === 'churn.pipeline.yaml', `the using task names ${used.description}`);
    },
  },
];
