#!/usr/bin/env node
// npm run bench:export — how long `mlops export argo` takes on large pipelines, next to
// `mlops validate` of the same file (the anchor: export validates first, then maps and writes).
//
// The pipelines are generated here: layers of tasks, each reading an output of the layer
// before (inferred edges) and needing one task two layers up (declared edges), with params,
// env, retries, timeouts and resources, so every part of the mapping runs.
//
// Env knobs: NS="1000 5000" (task counts)  REPS=5 (runs per command and size)  WORK=<temp dir>
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './bench-util.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NS = (process.env.NS ?? '1000 5000').split(/\s+/).filter(Boolean).map(Number);
const REPS = Math.max(1, Number(process.env.REPS ?? 5));
const work = process.env.WORK ?? join(tmpdir(), `mlops-bench-export-${process.pid}`);
const agent = join(root, 'dist', 'agent.js');
if (!existsSync(agent)) {
  console.error('bench:export: dist/agent.js is missing; run npm run build first.');
  process.exit(2);
}
mkdirSync(work, { recursive: true });

/** A layered pipeline of `n` tasks, 50 per layer. */
function pipeline(n) {
  const width = 50;
  const lines = [
    'version: 1',
    `name: bench-${n}`,
    'params:',
    '  lr: {type: number, default: 0.05}',
    '  note: {type: string, default: hello}',
    'defaults:',
    '  image: python:3.12-slim',
    '  resources: {cpu: 500m, memory: 1Gi}',
    '  timeout: 10m',
    '  env: {PYTHONDONTWRITEBYTECODE: "1"}',
    'tasks:',
  ];
  for (let i = 0; i < n; i++) {
    const layer = Math.floor(i / width);
    const id = `t${i}`;
    lines.push(`  ${id}:`);
    lines.push(`    run: python3 step.py --in ${layer > 0 ? `out/${i - width}.csv` : 'seed.csv'} --out out/${i}.csv --lr \${{ params.lr }} --note \${{ params.note }}`);
    if (layer > 0) lines.push(`    inputs: [out/${i - width}.csv]`);
    if (layer > 1) lines.push(`    needs: [t${i - 2 * width}]`);
    lines.push(`    outputs: [out/${i}.csv]`);
    if (i % 7 === 0) lines.push('    retries: {limit: 2, backoff: 10s, factor: 2}');
    if (i % 11 === 0) lines.push('    resources: {gpu: 1}');
  }
  return `${lines.join('\n')}\n`;
}

function time(args, cwd) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [agent, ...args], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) {
    console.error(`bench:export: mlops ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
    process.exit(1);
  }
  return { ms, bytes: r.stdout.length };
}

const rows = [];
try {
  for (const n of NS) {
    const file = `bench-${n}.pipeline.yaml`;
    writeFileSync(join(work, file), pipeline(n));
    const validate = [];
    const exp = [];
    let bytes = 0;
    for (let rep = 0; rep < REPS; rep++) {
      validate.push(time(['validate', file], work).ms);
      const e = time(['export', 'argo', file, '--code', 'volume', '--out', '-'], work);
      exp.push(e.ms);
      bytes = e.bytes;
    }
    const row = { n, validate: median(validate), export: median(exp), exportMax: Math.max(...exp), bytes };
    rows.push(row);
    console.error(`  ${n} tasks: validate ${row.validate.toFixed(0)} ms, export ${row.export.toFixed(0)} ms (median of ${REPS})`);
  }
} finally {
  if (!process.env.WORK) rmSync(work, { recursive: true, force: true });
}

const fmt = (ms) => `${ms.toFixed(0)} ms`;
console.log('');
console.log('| tasks | mlops validate (anchor) | mlops export argo | export / validate | slowest export | manifest |');
console.log('|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.n.toLocaleString('en')} | ${fmt(r.validate)} | ${fmt(r.export)} | ${(r.export / r.validate).toFixed(2)}× | ${fmt(r.exportMax)} | ${(r.bytes / 1024 / 1024).toFixed(1)} MB |`);
}
console.log('');
console.log(`Whole processes (Node start included), median of ${REPS} runs; the target is under 1 s for 5,000 tasks.`);
