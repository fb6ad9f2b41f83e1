#!/usr/bin/env node
// npm run bench:lsp — time from a didChange to its publishDiagnostics, for our language server
// and for yaml-language-server checking the same file against our JSON Schema, side by side.
//
// bench/workload.mjs makes layered pipelines of 1,000 and 5,000 tasks; bench/lsp-latency.mjs
// drives each server over stdio (full-text edits that each inject `needs: [nope]` into a
// different task, a 300 ms pause after each answer) and measures its process tree's peak
// resident memory (main thread and worker threads alike). The servers take turns, a fresh
// process per run; each run of ours is compared with the run of yaml-language-server next to
// it. Targets, in every pair of runs: edit median <= 1/10 of yaml-language-server's and peak
// memory <= 1/2 of its, at both sizes.
//
// Env knobs: NS="1000 5000"  EDITS=15 (per run, >= 10)  REPS=3 (fresh server processes per config)
//            ERROR=needs-nope (see lsp-latency.mjs --error)  WORK=<temp dir>
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './bench-util.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bench = join(root, 'scripts', 'bench');
const NS = (process.env.NS ?? '1000 5000').split(/\s+/).filter(Boolean).map(Number);
const EDITS = Math.max(10, Number(process.env.EDITS ?? 15));
const REPS = Math.max(1, Number(process.env.REPS ?? 3));
const ERROR = process.env.ERROR ?? 'needs-nope';
const work = process.env.WORK ?? join(tmpdir(), 'mlops-bench-lsp');

for (const [what, p] of [
  ['dist/server.js (run npm run build)', join(root, 'dist', 'server.js')],
  ['yaml-language-server (run npm ci)', join(root, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server')],
]) {
  if (!existsSync(p)) {
    console.error(`bench:lsp: ${what} is missing at ${p}.`);
    process.exit(2);
  }
}
mkdirSync(work, { recursive: true });

const node = process.execPath;
const servers = [
  { name: 'mlops (ours)', cmd: [node, join(root, 'dist', 'server.js'), '--stdio'], schema: false },
  { name: 'yaml-language-server', cmd: [node, join(root, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server'), '--stdio'], schema: true },
];

const results = [];
for (const n of NS) {
  const file = join(work, `layered-${n}.pipeline.yaml`);
  const gen = spawnSync(node, [join(bench, 'workload.mjs'), String(n), 'layered', file, '--pipeline-only'], { encoding: 'utf8' });
  if (gen.status !== 0) {
    console.error(gen.stderr);
    process.exit(1);
  }
  for (let rep = 0; rep < REPS; rep++) {
    for (const s of servers) {
      const args = [join(bench, 'lsp-latency.mjs'), '--json', '--label', s.name, '--file', file, '--edits', String(EDITS), '--error', ERROR];
      if (s.schema) args.push('--yaml-schema', join(root, 'schemas', 'pipeline.schema.json'), '--glob', '*.pipeline.yaml');
      const run = spawnSync(node, [...args, '--', ...s.cmd], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const line = run.stdout.trim().split('\n').pop();
      if (run.status !== 0 || !line?.startsWith('{')) {
        console.error(`bench:lsp: ${s.name} at ${n} tasks failed:\n${run.stderr}`);
        process.exit(1);
      }
      const r = JSON.parse(line);
      console.error(`  ${s.name}, ${n} tasks, run ${rep + 1}: edit median ${r.edit.medianMs} ms, open ${r.openMs} ms`);
      results.push({ n, rep, server: s.name, r });
    }
  }
}

const rows = [];
const verdicts = [];
for (const n of NS) {
  const stats = servers.map((s) => {
    const runs = results.filter((x) => x.n === n && x.server === s.name).map((x) => x.r);
    const samples = runs.flatMap((r) => r.samples.map((e) => e.nextMs).filter((v) => v != null));
    return {
      name: s.name,
      edits: samples.length,
      median: median(samples),
      min: Math.min(...samples),
      max: Math.max(...samples),
      open: median(runs.map((r) => r.openMs)),
      rss: Math.max(...runs.map((r) => r.memory?.peakRssMiB ?? 0)),
      diags: median(runs.map((r) => r.edit.diagnosticsMedian)),
    };
  });
  const [ours, yls] = stats;
  for (const st of stats) {
    const ratio = st === ours ? `${(ours.median / yls.median).toFixed(3)}× (1/${(yls.median / ours.median).toFixed(1)})` : '1';
    rows.push(`| ${n.toLocaleString('en-US')} | ${st.name} | ${st.median.toFixed(1)} | ${st.min.toFixed(1)}–${st.max.toFixed(1)} | ${st.edits} | ${ratio} | ${st.diags} | ${st.open.toFixed(0)} | ${st.rss.toFixed(0)} |`);
  }
  // Each run of ours against the yaml-language-server run beside it (same repetition).
  const pairs = Array.from({ length: REPS }, (_, rep) => results.filter((x) => x.n === n && x.rep === rep).map((x) => x.r));
  const latency = pairs.map(([o, y]) => o.edit.medianMs / y.edit.medianMs);
  const memory = pairs.map(([o, y]) => o.memory.peakRssMiB / y.memory.peakRssMiB);
  const worst = (xs) => Math.max(...xs);
  verdicts.push(
    `${n.toLocaleString('en-US')} tasks: edit median ours/yaml-language-server per run ${latency.map((x) => x.toFixed(3)).join(', ')}; target <= 0.100 in every run: ${worst(latency) <= 0.1 ? 'met' : 'MISSED'}`,
    `${n.toLocaleString('en-US')} tasks: peak RSS ours/yaml-language-server per run ${memory.map((x) => x.toFixed(2)).join(', ')}; target <= 0.50 in every run: ${worst(memory) <= 0.5 ? 'met' : 'MISSED'}`,
  );
}

const head = [
  `didChange → publishDiagnostics, layered pipelines, error injected per edit: \`${ERROR}\`; node ${process.version}; ${REPS} run(s) × ${EDITS} edits per cell; load ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs`,
  '',
  '| tasks | server | median ms | min–max ms | edits | vs yaml-language-server | diagnostics per publish | didOpen → diagnostics ms | peak RSS MiB (largest run) |',
  '|---:|---|---:|---:|---:|---:|---:|---:|---:|',
];
console.log([...head, ...rows, '', ...verdicts].join('\n'));
