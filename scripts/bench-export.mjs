#!/usr/bin/env node
// npm run bench:export — how long `mlops export argo` takes on large pipelines, next to
// `mlops validate` of the same file (the anchor: export validates first, then maps and writes).
//
// The pipelines are generated here: layers of tasks, each reading an output of the layer
// before (inferred edges) and needing one task two layers up (declared edges), with params,
// env, retries, timeouts and resources, so every part of the mapping runs.
//
// Each command runs as a user runs it (bin/mlops.js, whose compile cache is warm after the
// first run). Besides wall time, each process reports the CPU time it used (all its threads),
// which a loaded machine inflates far less than wall time: on a shared machine, that column
// and the ratio are what to compare.
//
// Env knobs: NS="1000 5000" (task counts)  REPS=5 (runs per command and size)  WORK=<temp dir>
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './bench-util.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NS = (process.env.NS ?? '1000 5000').split(/\s+/).filter(Boolean).map(Number);
const REPS = Math.max(1, Number(process.env.REPS ?? 5));
const work = process.env.WORK ?? join(tmpdir(), `mlops-bench-export-${process.pid}`);
const agent = join(root, 'dist', 'agent.js');
const mlops = join(root, 'bin', 'mlops.js');
if (!existsSync(agent)) {
  console.error('bench:export: dist/agent.js is missing; run npm run build first.');
  process.exit(2);
}
mkdirSync(work, { recursive: true });
// Preloaded into each timed process: at exit it writes the CPU time it used to MLOPS_BENCH_CPU.
const cpuReport = join(work, 'cpu-at-exit.cjs');
writeFileSync(cpuReport, "process.on('exit', () => { const u = process.cpuUsage(); require('node:fs').writeFileSync(process.env.MLOPS_BENCH_CPU, String((u.user + u.system) / 1000)); });\n");
const cpuFile = join(work, 'cpu.txt');

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
  rmSync(cpuFile, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', cpuReport, mlops, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, MLOPS_BENCH_CPU: cpuFile },
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) {
    console.error(`bench:export: mlops ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
    process.exit(1);
  }
  return { ms, cpu: Number(readFileSync(cpuFile, 'utf8')), bytes: r.stdout.length };
}

const rows = [];
try {
  for (const n of NS) {
    const file = `bench-${n}.pipeline.yaml`;
    writeFileSync(join(work, file), pipeline(n));
    const validate = [];
    const exp = [];
    let bytes = 0;
    // One unmeasured run of each fills the compile cache, as any earlier mlops command has for a user.
    time(['validate', file], work);
    time(['export', 'argo', file, '--code', 'volume', '--out', '-'], work);
    for (let rep = 0; rep < REPS; rep++) {
      validate.push(time(['validate', file], work));
      const e = time(['export', 'argo', file, '--code', 'volume', '--out', '-'], work);
      exp.push(e);
      bytes = e.bytes;
    }
    const wall = (xs) => median(xs.map((x) => x.ms));
    const cpu = (xs) => median(xs.map((x) => x.cpu));
    const row = { n, validate: wall(validate), validateCpu: cpu(validate), export: wall(exp), exportCpu: cpu(exp), bytes };
    rows.push(row);
    console.error(`  ${n} tasks: validate ${row.validate.toFixed(0)} ms (${row.validateCpu.toFixed(0)} ms CPU), export ${row.export.toFixed(0)} ms (${row.exportCpu.toFixed(0)} ms CPU), median of ${REPS}`);
  }
} finally {
  if (!process.env.WORK) rmSync(work, { recursive: true, force: true });
}

const fmt = (ms) => `${ms.toFixed(0)} ms`;
console.log('');
console.log('| tasks | mlops validate (anchor) | mlops export argo | export / validate | validate CPU | export CPU | export CPU / validate CPU | manifest |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.n.toLocaleString('en')} | ${fmt(r.validate)} | ${fmt(r.export)} | ${(r.export / r.validate).toFixed(2)}× | ${fmt(r.validateCpu)} | ${fmt(r.exportCpu)} | ${(r.exportCpu / r.validateCpu).toFixed(2)}× | ${(r.bytes / 1024 / 1024).toFixed(1)} MB |`,
  );
}
console.log('');
console.log(
  `Whole processes (Node start included), median of ${REPS} runs; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${availableParallelism()} cores. The target is under 1 s for 5,000 tasks.`,
);
