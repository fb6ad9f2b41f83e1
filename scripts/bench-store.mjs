#!/usr/bin/env node
// npm run bench:store — the same `mlops run` of N no-op tasks recorded in SQLite (a fresh
// .mlops/) and in PostgreSQL (a fresh database on the cluster of scripts/pg-up.sh), taking
// turns within each repetition so machine noise hits both alike; medians. Every transition
// is persisted in both: the script checks afterwards that each store holds every task
// succeeded with one attempt. Target: PostgreSQL at most 1.5× SQLite's wall time.
//
//   NS="1000" SHAPES="wide layered" REPS=5 npm run bench:store [-- --json out.json]
//   MLOPS_BENCH_PG_URL=postgresql://USER@HOST:PORT/DB picks another server (default: pg-up.sh's)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { median } from './bench-util.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { Client } = createRequire(import.meta.url)('pg');
const mlops = path.join(root, 'bin', 'mlops.js');
const bundle = path.join(root, 'dist', 'agent.js');
const NS = (process.env.NS ?? '1000').split(/\s+/).filter(Boolean).map(Number);
const SHAPES = (process.env.SHAPES ?? 'wide layered').split(/\s+/).filter(Boolean);
const REPS = Number(process.env.REPS ?? 5);
const JOBS = 2;
const BASE_URL = process.env.MLOPS_BENCH_PG_URL || process.env.MLOPS_TEST_PG_URL || 'postgresql://postgres@127.0.0.1:55432/mlops_test';
const jsonOut = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : undefined;

if (!fs.existsSync(bundle)) fail(`${bundle} is missing; run npm run build first.`);
await admin('SELECT 1').catch((e) => fail(`no PostgreSQL answers at ${BASE_URL} (${e.message}); start one with scripts/pg-up.sh.`));

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-store-'));
const rows = [];
try {
  for (const n of NS) {
    for (const shape of SHAPES) {
      const dir = path.join(work, `${shape}-${n}`);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'bench.pipeline.yaml'), pipeline(n, shape));
      const times = { sqlite: [], postgres: [] };
      for (let rep = 0; rep < REPS; rep++) {
        // Alternate who goes first, so neither always runs on a warmer machine.
        const order = rep % 2 ? ['postgres', 'sqlite'] : ['sqlite', 'postgres'];
        for (const kind of order) times[kind].push(await runOnce(dir, kind, n, rep));
      }
      const row = { n, shape, reps: REPS, sqlite: median(times.sqlite), postgres: median(times.postgres), times };
      rows.push(row);
      console.error(`bench-store: ${shape} ${n}: SQLite ${fmt(row.sqlite)} ms, PostgreSQL ${fmt(row.postgres)} ms (${(row.postgres / row.sqlite).toFixed(2)}×)`);
    }
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

console.log(`No-op tasks, mlops run --parallel ${JOBS}, every transition persisted; median of ${REPS} (wall time, ms); ${os.cpus().length} CPUs, Node ${process.versions.node}.\n`);
console.log('| tasks | shape | SQLite (.mlops/) | PostgreSQL (team store) | PostgreSQL / SQLite | target |');
console.log('|---:|---|---:|---:|---:|---|');
for (const r of rows) {
  const ratio = r.postgres / r.sqlite;
  console.log(`| ${r.n.toLocaleString('en-US')} | ${r.shape} | ${fmt(r.sqlite)} | ${fmt(r.postgres)} | ${ratio.toFixed(2)}× | ≤ 1.5×: ${ratio <= 1.5 ? 'met' : 'missed'} |`);
}
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(rows, null, 2));

/** One timed run into a fresh store of `kind`; checks afterwards that the store holds all of it. */
async function runOnce(dir, kind, n, rep) {
  const state = path.join(dir, `state-${kind}-${rep}`);
  const db = `mlops_bench_${process.pid}_${rep}_${kind}`;
  const args = [mlops, 'run', 'bench.pipeline.yaml', '--parallel', String(JOBS), '--state-dir', state, '--format', 'json'];
  let url;
  if (kind === 'postgres') {
    await admin(`CREATE DATABASE ${db}`);
    url = withDatabase(BASE_URL, db);
    // The store's tables are made by a first command, as on a team's first day; not timed.
    const prep = spawnSync(process.execPath, [mlops, 'store', 'info', '--store', url, '--state-dir', state], { cwd: dir, encoding: 'utf8' });
    if (prep.status !== 0) fail(`mlops store info failed: ${prep.stderr}`);
    args.push('--store', url);
  }
  try {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, MLOPS_STORE: '' } });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) fail(`mlops run (${kind}) failed (exit ${r.status}): ${r.stderr}`);
    const run = JSON.parse(r.stdout);
    const counts = kind === 'postgres' ? await pgCounts(url, run.id) : sqliteCounts(path.join(state, 'state.db'), run.id);
    if (counts.succeeded !== n || counts.attempts !== n || counts.status !== 'succeeded') {
      fail(`the ${kind} store does not hold the whole run: ${JSON.stringify(counts)} for ${n} tasks`);
    }
    return ms;
  } finally {
    fs.rmSync(state, { recursive: true, force: true });
    if (kind === 'postgres') await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  }
}

function sqliteCounts(file, runId) {
  const db = new DatabaseSync(file);
  try {
    const one = (sql) => Object.values(db.prepare(sql).get(runId))[0];
    return {
      status: one('SELECT status FROM runs WHERE id = ?'),
      succeeded: Number(one(`SELECT count(*) FROM tasks WHERE run_id = ? AND status = 'succeeded' AND attempts = 1`)),
      attempts: Number(one(`SELECT count(*) FROM attempts WHERE run_id = ? AND status = 'succeeded'`)),
    };
  } finally {
    db.close();
  }
}

async function pgCounts(url, runId) {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const one = async (sql) => Object.values((await c.query(sql, [runId])).rows[0])[0];
    return {
      status: await one('SELECT status FROM runs WHERE id = $1'),
      succeeded: Number(await one(`SELECT count(*) FROM tasks WHERE run_id = $1 AND status = 'succeeded' AND attempts = 1`)),
      attempts: Number(await one(`SELECT count(*) FROM attempts WHERE run_id = $1 AND status = 'succeeded'`)),
    };
  } finally {
    await c.end();
  }
}

/** N no-op tasks: `wide` (independent) or `layered` (√N layers, each task needing 2–3 of the layer above). */
function pipeline(n, shape) {
  const id = (i) => `t${String(i).padStart(5, '0')}`;
  const lines = ['version: 1', `name: bench-${shape}-${n}`, 'tasks:'];
  const width = Math.max(1, Math.round(Math.sqrt(n)));
  for (let i = 0; i < n; i++) {
    let needs = [];
    if (shape === 'layered' && i >= width) {
      const layerStart = Math.floor(i / width) * width - width;
      needs = [0, 1, 2].slice(0, 2 + (i % 2)).map((k) => id(layerStart + ((i + k * 7) % width)));
      needs = [...new Set(needs)];
    }
    lines.push(`  ${id(i)}: {run: 'true'${needs.length ? `, needs: [${needs.join(', ')}]` : ''}}`);
  }
  return `${lines.join('\n')}\n`;
}

function withDatabase(url, db) {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function admin(sql) {
  const c = new Client({ connectionString: withDatabase(BASE_URL, 'postgres'), connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

function fmt(ms) {
  return Math.round(ms).toLocaleString('en-US');
}

function fail(message) {
  console.error(`bench-store: ${message}`);
  process.exit(1);
}
