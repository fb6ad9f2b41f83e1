// With `mlops.run.executor` set to `slurm`, "MLOps: Run Pipeline" runs examples/churn on the
// two-node test cluster of scripts/slurm-up.sh: the run succeeds, and the Runs view shows
// each task's Slurm job id and node, the very jobs the cluster ran. Needs the cluster:
// skipped without it, failed without it when MLOPS_REQUIRE_SLURM=1 (CI).
import { spawnSync } from 'node:child_process';
import { CLUSTER_LOCK, clusterReady, holdCluster } from '../../../scripts/slurm-lock.mjs';
import { runRows, runsPane } from '../harness/runs-view.mjs';
import { expect, expectEqual, fatal, skip, waitFor } from '../harness/wait.mjs';

const TASKS = ['ingest', 'featurize', 'train', 'evaluate', 'report'];

/** The folder's own settings, as a user would set them for this project (in place before the window opens). */
export const settings = { 'mlops.run.executor': 'slurm' };

/** Name and comment of a job, as the controller knows it. */
function jobOf(id) {
  const r = spawnSync('squeue', ['--noheader', '--states=all', `--jobs=${id},${id}`, '--Format=Name:|,Comment:|,NodeList:|'], { encoding: 'utf8', timeout: 30_000 });
  const [name, comment, node] = (r.stdout ?? '')
    .trim()
    .split('|')
    .map((f) => f.trim());
  return { name, comment, node };
}

export const checks = [
  {
    name: 'churn-on-slurm-shows-job-ids-in-the-runs-view',
    // Up to 30 min waiting for the machine's one cluster while another test run uses it.
    timeout: 35 * 60_000,
    async run({ vs, page, openPipeline, log }) {
      const release = await holdCluster(30 * 60_000, () => log(`waiting for the Slurm test cluster: another test run holds ${CLUSTER_LOCK}`));
      try {
        // Checked once the cluster is ours; a node re-registering after a controller restart gets a minute.
        const problem = await clusterReady();
        if (problem) {
          const message = `${problem}; run scripts/slurm-up.sh`;
          if (process.env.MLOPS_REQUIRE_SLURM === '1') throw new Error(`MLOPS_REQUIRE_SLURM=1 but ${message}`);
          skip(message);
        }
        await onTheCluster({ vs, page, openPipeline });
      } finally {
        await release();
      }
    },
  },
];

async function onTheCluster({ vs, page, openPipeline }) {
  await openPipeline();
  await vs.runCommand('MLOps: Run Pipeline');
  // Keyed on what the Runs view shows, not on a toast that may be gone: the newest run's
  // tasks each with a job id and node (so it is this run, not an earlier local one), all passed.
  await vs.runCommand('MLOps: Focus on Runs View');
  const newest = runsPane(page).locator('.monaco-list-rows > .monaco-list-row[data-index="0"]');
  const tasks = await waitFor(
    async () => {
      const bad = (await vs.notifications()).find((t) => /churn-train (failed|was cancelled|was interrupted)|did not start/.test(t));
      if (bad) throw fatal(`the run on Slurm did not succeed: ${bad}`);
      if ((await newest.getAttribute('aria-expanded').catch(() => null)) === 'false') await newest.click();
      const rows = await runRows(page);
      if (rows[0]?.label !== 'churn-train') return undefined;
      const mine = rows.slice(1, 1 + TASKS.length);
      if (mine.length !== TASKS.length) return undefined;
      const ended = mine.filter((t) => !t.icons.some((i) => /codicon-(sync|circle-large-outline)/.test(i)));
      if (ended.length < TASKS.length) return undefined;
      // The window's only run, ended: without job ids it ran somewhere else, and waiting longer shows nothing new.
      if (!mine.every((t) => /^job \d+ on n[12] · /.test(t.description))) {
        throw fatal(`the run ended without running on Slurm (the executor setting was not applied): ${JSON.stringify(mine.map((t) => t.description))}`);
      }
      return mine;
    },
    {
      timeout: 240_000,
      interval: 250,
      what: 'every task of the newest run to end showing "job N on nX · duration"',
      describe: async () => `rows ${JSON.stringify(await runRows(page))}; toasts ${JSON.stringify(await vs.notifications())}`,
    },
  );
  expectEqual(
    tasks.map((t) => t.label),
    TASKS,
    'tasks of the run on Slurm',
  );
  expect(
    tasks.every((t) => t.icons.includes('codicon-pass')),
    `not every task shows the pass icon: ${JSON.stringify(tasks)}`,
  );
  const ids = tasks.map((t) => /^job (\d+) on (n[12])/.exec(t.description));
  expect(new Set(ids.map((m) => m[1])).size === TASKS.length, `the tasks do not show five distinct jobs: ${JSON.stringify(tasks.map((t) => t.description))}`);
  // The view shows the jobs the cluster ran: each named mlops:churn-train:TASK, on the node shown.
  for (const [i, m] of ids.entries()) {
    const job = jobOf(m[1]);
    expectEqual([job.name, job.node], [`mlops:churn-train:${TASKS[i]}`, m[2]], `job ${m[1]} as squeue knows it`);
    expect(job.comment.endsWith(`:${TASKS[i]}:1`), `job ${m[1]} has the comment ${job.comment}`);
  }
}
