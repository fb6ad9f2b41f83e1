#!/usr/bin/env node
// npm run bench:slurm — a benchmark, not a test. N no-op tasks in layers (200 by default,
// layers of ⌈√N⌉, each task needing 2–3 of the layer above) on the local two-node cluster of
// scripts/slurm-up.sh, run three ways in one go:
//   floor      Slurm's own floor: every job submitted at once, ordered by --dependency=afterok;
//   mlops      `mlops run --executor slurm`: the agent submits each task when its parents have succeeded;
//   snakemake  Debian's snakemake (7.21) with --slurm, on the same DAG as a Snakefile.
// For each: wall time, and what it asked of the cluster — the Slurm commands it ran (counted by
// wrappers first on PATH) and the controller's RPCs (sdiag, reset before each run).
// Snakemake's Slurm support needs accounting, so the bench turns it on (slurm-up.sh
// --accounting: MariaDB and slurmdbd) and, if it was off, turns it off again at the end.
//
//   N=200 REPS=1 SYSTEMS=floor,mlops,snakemake npm run bench:slurm
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './bench-util.mjs';
import { toPipeline, toSnakemake, workload } from './bench/workload.mjs';
import { CLUSTER_LOCK, commandLog, holdCluster } from './slurm-lock.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.N ?? 200);
const REPS = Number(process.env.REPS ?? 1);
const SYSTEMS = (process.env.SYSTEMS ?? 'floor,mlops,snakemake').split(',');
const STATUS = new Set(['squeue', 'sacct', 'scontrol']);
const COMMANDS = ['sbatch', 'squeue', 'sacct', 'scancel', 'scontrol', 'srun', 'sacctmgr', 'sinfo'];

const log = (m) => process.stderr.write(`bench:slurm: ${m}\n`);

/** The DAG's depth: the longest chain of needs, which each tool pays for in scheduling rounds. */
function depth(tasks) {
  const level = new Map();
  for (const t of tasks) level.set(t.id, t.needs.length === 0 ? 0 : 1 + Math.max(...t.needs.map((x) => level.get(x))));
  return 1 + Math.max(...level.values());
}
const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', ...opts });

function accountingOn() {
  return /AccountingStorageType\s*=\s*accounting_storage\/slurmdbd/.test(spawnSync('scontrol', ['show', 'config'], { encoding: 'utf8' }).stdout ?? '');
}

function sdiag() {
  const out = sh('sdiag', []);
  const counts = {};
  const section = out.split('Remote Procedure Call statistics by message type')[1]?.split('Remote Procedure Call statistics by user')[0] ?? '';
  for (const m of section.matchAll(/^\s*(\S+)\s+\(\s*\d+\)\s+count:(\d+)/gm)) counts[m[1]] = Number(m[2]);
  return counts;
}

function waitQueueEmpty() {
  const deadline = Date.now() + 600_000;
  while (sh('squeue', ['-h', '-o', '%i']).trim()) {
    if (Date.now() > deadline) throw new Error('the queue did not empty within 10 min; see squeue');
    spawnSync('sleep', ['0.5']);
  }
}

/** Slurm's floor: all jobs at once, each with afterok on its parents' jobs; ends when the last job ends. */
async function floor(dag, env, dir) {
  const ids = new Map();
  const t0 = Date.now();
  for (const t of dag.tasks) {
    const dep = t.needs.length ? [`--dependency=afterok:${t.needs.map((x) => ids.get(x)).join(':')}`] : [];
    const id = sh('sbatch', ['--parsable', `--job-name=floor:${t.id}`, `--output=${path.join(dir, 'floor.log')}`, '--open-mode=append', ...dep, '--wrap', 'true'], { env })
      .trim()
      .split(';')[0];
    ids.set(t.id, id);
  }
  const all = [...ids.values()];
  // Waiting is the bench's business, not the floor's: ask only once a second, outside the
  // wrappers, and take these polls off the controller's count.
  for (let polls = 1; ; polls++) {
    const out = sh('squeue', ['-h', '-t', 'all', `--jobs=${all.join(',')}`, '-O', 'JobID:|,State:|,EndTime:|']);
    const rows = out
      .trim()
      .split('\n')
      .map((l) => l.split('|').map((f) => f.trim()));
    const ended = rows.filter(([, state]) => !['PENDING', 'RUNNING', 'COMPLETING', 'CONFIGURING'].includes(state));
    if (ended.length === all.length) {
      const bad = ended.filter(([, state]) => state !== 'COMPLETED');
      if (bad.length) throw new Error(`floor: ${bad.length} jobs did not complete (${bad[0].join(' ')})`);
      // The last job's end, in the controller's (whole) seconds: the floor's wall time.
      const last = Math.max(...ended.map(([, , end]) => Date.parse(end)));
      return { ms: last - t0, jobs: all.length, ownPolls: polls };
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function run(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ms: Date.now() - t0, out, err }));
  });
}

async function mlops(dag, env, dir) {
  fs.writeFileSync(path.join(dir, 'p.pipeline.yaml'), toPipeline(dag.tasks, { name: dag.name }));
  const r = await run(process.execPath, [path.join(repo, 'bin', 'mlops.js'), 'run', 'p.pipeline.yaml', '--executor', 'slurm', '--state-dir', path.join(dir, `.mlops-${Date.now()}`), '--format', 'json'], {
    cwd: dir,
    env,
  });
  if (r.code !== 0) throw new Error(`mlops run exited ${r.code}: ${r.err.slice(-2000)}`);
  const record = JSON.parse(r.out);
  const bad = record.tasks.filter((t) => t.status !== 'succeeded' || t.attempts !== 1);
  if (bad.length) throw new Error(`mlops: ${bad.length} tasks did not succeed at the first attempt (${JSON.stringify(bad[0])})`);
  return { ms: r.ms, jobs: record.tasks.length };
}

async function snakemake(dag, env, dir) {
  const work = path.join(dir, `smk-${Date.now()}`);
  fs.mkdirSync(work, { recursive: true });
  fs.writeFileSync(path.join(work, 'Snakefile'), toSnakemake(dag.tasks));
  const r = await run(
    'snakemake',
    ['--slurm', '--jobs', String(dag.tasks.length), '--default-resources', 'slurm_account=mlops', 'slurm_partition=main', 'mem_mb=256', 'runtime=10', '--latency-wait', '10', '--quiet', '--nolock'],
    // Snakemake's Slurm executor reads $USER to check the account with sacctmgr.
    { cwd: work, env: { USER: os.userInfo().username, ...env } },
  );
  if (r.code !== 0) throw new Error(`snakemake exited ${r.code}: ${(r.err + r.out).slice(-3000)}`);
  const done = fs.readdirSync(path.join(work, 'out')).length;
  if (done !== dag.tasks.length) throw new Error(`snakemake: only ${done} of ${dag.tasks.length} tasks left their output`);
  return { ms: r.ms, jobs: done };
}

/** Status queries and the largest number made within any one second, from the command log. */
function queryStats(calls) {
  const status = calls.filter((c) => STATUS.has(c.command) && !(c.command === 'scontrol' && !c.args.startsWith('show job')));
  let maxPerSecond = 0;
  for (let i = 0, j = 0; i < status.length; i++) {
    while (status[i].at - status[j].at >= 1000) j++;
    maxPerSecond = Math.max(maxPerSecond, i - j + 1);
  }
  let minGap = Infinity;
  for (let i = 1; i < status.length; i++) minGap = Math.min(minGap, status[i].at - status[i - 1].at);
  const by = {};
  for (const c of calls) by[c.command] = (by[c.command] ?? 0) + 1;
  return { status: status.length, maxPerSecond, minGap, by };
}

async function main() {
  if (spawnSync('sinfo', ['-h'], { timeout: 30_000 }).status !== 0) throw new Error('no Slurm cluster answers; start one with scripts/slurm-up.sh');
  // The cluster to itself: test runs of other working copies wait meanwhile (and it for them).
  const release = await holdCluster(60 * 60_000, () => log(`waiting for the cluster: a test run holds ${CLUSTER_LOCK}`));
  try {
    await measure();
  } finally {
    await release();
  }
}

async function measure() {
  const hadAccounting = accountingOn();
  if (SYSTEMS.includes('snakemake')) {
    if (spawnSync('sh', ['-c', 'command -v snakemake']).status !== 0) {
      log("installing Debian's snakemake (apt)");
      sh('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '--no-install-recommends', 'snakemake'], { stdio: 'inherit' });
    }
    if (!hadAccounting) {
      log('snakemake --slurm needs accounting: scripts/slurm-up.sh --accounting (MariaDB, slurmdbd)');
      sh('bash', [path.join(repo, 'scripts', 'slurm-up.sh'), '--accounting'], { stdio: 'inherit' });
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-slurm-'));
  const dag = { name: `bench-layered-${N}`, tasks: workload(N, 'layered') };
  const calls = commandLog(dir, COMMANDS);
  const results = Object.fromEntries(SYSTEMS.map((s) => [s, []]));
  const runners = { floor, mlops, snakemake };
  log(`${N} no-op tasks, ${depth(dag.tasks)} layers, ${dag.tasks.reduce((n, t) => n + t.needs.length, 0)} edges; accounting ${accountingOn() ? 'on' : 'off'}; ${REPS} repetition(s) of ${SYSTEMS.join(', ')}`);
  try {
    for (let rep = 0; rep < REPS; rep++) {
      for (const s of SYSTEMS) {
        waitQueueEmpty();
        calls.reset();
        sh('sdiag', ['--reset']);
        const r = await runners[s](dag, calls.env, dir);
        const rpc = sdiag();
        // The bench's own polls for the floor's end (squeue: a job and a partition request each) are not the floor's.
        if (r.ownPolls) for (const k of ['REQUEST_JOB_INFO', 'REQUEST_PARTITION_INFO']) rpc[k] = Math.max(0, (rpc[k] ?? 0) - r.ownPolls);
        const q = queryStats(calls.calls());
        results[s].push({ ...r, ...q, rpc });
        log(`${s}: ${(r.ms / 1000).toFixed(1)} s, ${q.status} status queries (${JSON.stringify(q.by)}), controller RPCs ${JSON.stringify(rpc)}`);
      }
    }
  } finally {
    if (!hadAccounting && accountingOn()) {
      log('turning accounting off again: scripts/slurm-up.sh --no-accounting');
      sh('bash', [path.join(repo, 'scripts', 'slurm-up.sh'), '--no-accounting'], { stdio: 'inherit' });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const floorMs = results.floor?.length ? median(results.floor.map((r) => r.ms)) : null;
  const rows = SYSTEMS.map((s) => {
    const rs = results[s];
    const ms = median(rs.map((r) => r.ms));
    const status = median(rs.map((r) => r.status));
    const rpcInfo = median(rs.map((r) => (r.rpc.REQUEST_JOB_INFO ?? 0) + (r.rpc.REQUEST_JOB_INFO_SINGLE ?? 0)));
    const rpcAll = median(rs.map((r) => Object.values(r.rpc).reduce((a, b) => a + b, 0)));
    return [
      s,
      (ms / 1000).toFixed(1),
      floorMs ? `${(ms / floorMs).toFixed(2)}×` : '–',
      String(status),
      (status / N).toFixed(2),
      String(Math.max(...rs.map((r) => r.maxPerSecond))),
      Number.isFinite(Math.min(...rs.map((r) => r.minGap))) ? String(Math.min(...rs.map((r) => r.minGap))) : '–',
      String(rpcInfo),
      String(rpcAll),
    ];
  });
  const head = ['system', 'wall s', 'vs floor', 'status queries', 'per task', 'max per s', 'min gap ms', 'job-info RPCs', 'all RPCs'];
  console.log(`\n${N} no-op tasks, layered (${depth(dag.tasks)} layers), two nodes of one CPU; median of ${REPS}\n`);
  console.log(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

main().catch((e) => {
  log(e.message);
  process.exit(1);
});
