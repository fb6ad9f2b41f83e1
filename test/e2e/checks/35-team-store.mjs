// The editor on a team store: with mlops.store.url set to a PostgreSQL database, the Runs
// view shows a run that `mlops run` made in another working copy (by another user on another
// machine, as MLOPS_USER/MLOPS_HOST say), and the Models view the version it registered,
// with who registered it. The database is a fresh one on the cluster of scripts/pg-up.sh
// (started here if nothing answers), dropped afterwards.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, waitFor } from '../harness/wait.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const { Client } = createRequire(import.meta.url)('pg');
const BASE = process.env.MLOPS_TEST_PG_URL || 'postgresql://postgres@127.0.0.1:55432/mlops_test';

const TEAM_PIPELINE = `version: 1
name: team-pipeline
tasks:
  train:
    run: >
      mkdir -p models &&
      printf '{"w": [1]}\\n' > models/m.json &&
      printf '{"auc": 0.77}\\n' > models/metrics.json
    outputs: [models/m.json, models/metrics.json]
    model: {name: team-model, path: models/m.json, framework: custom, metrics: models/metrics.json}
`;

function withDatabase(url, db) {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function admin(sql) {
  const c = new Client({ connectionString: withDatabase(BASE, 'postgres'), connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A fresh database on the test cluster, starting the cluster with the project's script when nothing answers. */
async function freshDatabase(log) {
  try {
    await admin('SELECT 1');
  } catch {
    log('no PostgreSQL answers; starting one with scripts/pg-up.sh');
    const up = spawnSync('bash', [join(repo, 'scripts', 'pg-up.sh')], { encoding: 'utf8', timeout: 300_000 });
    expect(up.status === 0, `scripts/pg-up.sh failed: ${up.stderr}`);
  }
  const db = `mlops_e2e_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${db}`);
  return { url: withDatabase(BASE, db), drop: () => admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`) };
}

/** Label and description of every drawn row of a side bar pane, top to bottom. */
function paneRows(page, title) {
  const pane = page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: new RegExp(`^${title}`) }) }).first();
  return pane
    .locator('.monaco-list-rows > .monaco-list-row[data-index]')
    .evaluateAll((rows) =>
      rows
        .sort((a, b) => Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index')))
        .map((r) => ({ label: (r.querySelector('.label-name')?.textContent ?? '').trim(), description: (r.querySelector('.label-description')?.textContent ?? '').trim() })),
    );
}

/**
 * A palette command, tried again until the palette offers it: right after the window opens
 * (this file may run alone, first) the extension's view commands take a moment to appear.
 */
async function command(vs, label) {
  await waitFor(
    () =>
      vs.runCommand(label, { timeout: 3000 }).then(
        () => true,
        async () => {
          await vs.dismiss();
          return false;
        },
      ),
    { timeout: 60_000, interval: 500, what: `the command palette to offer and run "${label}"` },
  );
}

export const checks = [
  {
    name: 'team-store-shows-a-run-and-a-model-version-made-in-another-working-copy',
    timeout: 240_000,
    async run({ vs, page, workspace, extensionDir, log }) {
      const { url, drop } = await freshDatabase(log);
      const other = mkdtempSync(join(tmpdir(), 'mlops-e2e-team-'));
      const shared = join(other, 'shared');
      const settingsFile = join(workspace, '.vscode', 'settings.json');
      const before = existsSync(settingsFile) ? readFileSync(settingsFile, 'utf8') : undefined;
      try {
        // Another working copy, another user, another machine: a run and a model version.
        const copy = join(other, 'copy');
        mkdirSync(join(copy, '.git'), { recursive: true });
        writeFileSync(join(copy, 'team.pipeline.yaml'), TEAM_PIPELINE);
        const env = { ...process.env, NO_COLOR: '1', MLOPS_STORE: url, MLOPS_ARTIFACTS: shared, MLOPS_USER: 'teammate', MLOPS_HOST: 'other-laptop' };
        const r = spawnSync(process.execPath, [join(extensionDir, 'dist', 'agent.js'), 'run', 'team.pipeline.yaml', '--format', 'json'], { cwd: copy, env, encoding: 'utf8', timeout: 120_000 });
        expect(r.status === 0, `mlops run in the other working copy exited ${r.status}: ${r.stderr}`);
        const runId = JSON.parse(r.stdout).id;
        log(`teammate@other-laptop ran ${runId} into ${url}`);

        // This editor, pointed at the same store.
        mkdirSync(dirname(settingsFile), { recursive: true });
        writeFileSync(settingsFile, JSON.stringify({ ...(before ? JSON.parse(before) : {}), 'mlops.store.url': url, 'mlops.store.artifacts': shared }, null, 2));

        // The Models view first: it opens the MLOps container, which the Runs view (folded by default) is in.
        await command(vs, 'MLOps: Focus on Models View');
        const version = await waitFor(
          async () => {
            await command(vs, 'MLOps: Refresh Models');
            const rows = await paneRows(page, 'Models');
            const i = rows.findIndex((x) => x.label === 'team-model');
            return i !== -1 && rows.slice(i + 1).find((x) => x.label === 'v1');
          },
          { timeout: 60_000, interval: 1000, what: 'the Models view to list team-model v1', describe: async () => JSON.stringify(await paneRows(page, 'Models')) },
        );
        expect(version.description.includes('by teammate@other-laptop'), `v1 does not say who registered it: "${version.description}"`);
        expect(version.description.includes('auc 0.77'), `v1 shows no headline metric: "${version.description}"`);
        await command(vs, 'MLOps: Focus on Runs View');
        const run = await waitFor(
          async () => {
            await command(vs, 'MLOps: Refresh Runs');
            return (await paneRows(page, 'Runs')).find((x) => x.label === 'team-pipeline');
          },
          { timeout: 60_000, interval: 1000, what: "the Runs view to list the teammate's run of team-pipeline", describe: async () => JSON.stringify(await paneRows(page, 'Runs')) },
        );
        expect(run.description.includes('teammate@other-laptop'), `the run row does not say whose it is: "${run.description}"`);
      } finally {
        // The folder's own settings back (the window is this file's alone; no other check sees it).
        if (before === undefined) rmSync(settingsFile, { force: true });
        else writeFileSync(settingsFile, before);
        rmSync(other, { recursive: true, force: true });
        await drop().catch(() => undefined);
      }
    },
  },
];
