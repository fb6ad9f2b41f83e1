// After the churn pipeline has run, the Models view lists churn-classifier v1 and, expanded,
// its eight artifact groups; the Feature Catalog view lists customer_stats.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, waitFor } from '../harness/wait.mjs';

const GROUPS = ['definition', 'parameters', 'functions', 'dependencies', 'data', 'code', 'experiment', 'tags'];

/** Label and description of every visible row of the side bar's trees. */
function sideBarRows(page) {
  return page.locator('.part.sidebar .monaco-list-row').evaluateAll((rows) => rows.map((r) => ({
    label: (r.querySelector('.label-name')?.textContent ?? '').trim(),
    description: (r.querySelector('.label-description')?.textContent ?? '').trim(),
    expanded: r.getAttribute('aria-expanded'),
  })));
}

/** Runs the churn pipeline with the agent bundled in the installed extension, in the opened folder. */
function runChurn({ workspace, extensionDir, log }) {
  const agent = join(extensionDir, 'dist', 'agent.js');
  const r = spawnSync(process.execPath, [agent, 'run', 'churn.pipeline.yaml'], { cwd: workspace, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  expect(r.status === 0, `mlops run churn.pipeline.yaml exited ${r.status}: ${r.stderr || r.stdout}`);
  log(`ran the churn pipeline with ${agent}`);
}

export const checks = [
  {
    name: 'models-view-shows-churn-classifier-with-eight-groups',
    timeout: 180_000,
    async run(ctx) {
      const { vs, page } = ctx;
      runChurn(ctx);
      await vs.runCommand('MLOps: Focus on Models View');
      const version = await waitFor(async () => {
        const rows = await sideBarRows(page);
        const i = rows.findIndex((r) => r.label === 'churn-classifier');
        return i !== -1 && rows.slice(i + 1).find((r) => r.label === 'v1');
      }, { timeout: 60_000, what: 'the Models view to list churn-classifier with version v1', describe: async () => JSON.stringify(await sideBarRows(page)) });
      expect(/auc 0\.\d+/.test(version.description), `v1 shows no headline metric: "${version.description}"`);
      await page.locator('.part.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: /^v1$/ }) }).first().click();
      const groups = await waitFor(async () => {
        const labels = (await sideBarRows(page)).map((r) => r.label);
        const start = labels.indexOf('v1');
        const after = labels.slice(start + 1, start + 1 + GROUPS.length);
        return GROUPS.every((g, k) => after[k] === g) && after;
      }, { what: `v1 to expand into ${GROUPS.join(', ')}`, describe: async () => JSON.stringify((await sideBarRows(page)).map((r) => r.label)) });
      expect(groups.length === 8, `expected eight groups, saw ${JSON.stringify(groups)}`);
    },
  },
  {
    name: 'feature-catalog-view-lists-customer-stats',
    async run({ vs, page }) {
      await vs.runCommand('MLOps: Focus on Feature Catalog View');
      await waitFor(async () => (await sideBarRows(page)).some((r) => r.label === 'customer_stats' && /9 features/.test(r.description)), {
        what: 'the Feature Catalog view to list customer_stats with its 9 features',
        describe: async () => JSON.stringify(await sideBarRows(page)),
      });
    },
  },
];
