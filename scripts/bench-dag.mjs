#!/usr/bin/env node
// Measures the two maintained layout libraries (and the view's own fast layered engine) on
// generated pipelines, as the DAG view would call them: `npm run bench:dag`.
//
//   node scripts/bench-dag.mjs [--sizes 100,1000,5000] [--reps 5] [--engines dagre,elk,own] [--budget 120]
//
// Each pipeline comes from /work/shared/bench/gen-pipeline.mjs (layered shape, fixed seed)
// or, when that is missing, an equivalent generator below; it goes through core's Workspace
// exactly like the editor, and the webview's own adapters lay it out. Prints a markdown table:
// median time (min–max), edge crossings between adjacent layers, drawing size, and the
// minified size each engine adds to the webview bundle. Each measurement runs in a worker
// thread stopped after --budget seconds a run; 1,000 tasks get 3 runs, 5,000 tasks one (cold) run.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { Worker } from 'node:worker_threads';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const sizes = opt('sizes', '100,1000,5000').split(',').map(Number);
const reps = Number(opt('reps', '5'));
const budget = Number(opt('budget', '120'));
const GEN = process.env.MLOPS_BENCH_GEN ?? '/work/shared/bench/gen-pipeline.mjs';
const work = mkdtempSync(join(tmpdir(), 'mlops-bench-dag-'));

// One in-memory bundle with the real code: core's analysis and the webview's layout adapters.
const entry = `
  export { Workspace } from './core/src/workspace';
  export { dagreLayout } from './webviews/src/dag/layout/dagre-layout';
  export { layeredLayout } from './webviews/src/dag/layout/layered-layout';
  export { nodeWidth, NODE_HEIGHT } from './webviews/src/dag/layout/size';
  export { SPACING } from './webviews/src/dag/layout/types';
  import ELK from 'elkjs/lib/elk.bundled.js';
  export const elk = new ELK();
`;
const bundlePath = join(work, 'bench.cjs');
await build({ stdin: { contents: entry, resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', outfile: bundlePath, logLevel: 'error' });
const lib = createRequire(import.meta.url)(bundlePath);

function generate(n) {
  const file = join(work, `g${n}.pipeline.yaml`);
  if (existsSync(GEN)) execFileSync(process.execPath, [GEN, String(n), 'layered', file, '--no-extras'], { stdio: 'ignore' });
  else writeFileSync(file, fallbackPipeline(n));
  return file;
}

/** The same shape as gen-pipeline.mjs layered: layers of √n tasks, each needing 2–3 of the previous layer. */
function fallbackPipeline(n) {
  let a = 42;
  const rnd = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const w = Math.max(1, Math.round(Math.sqrt(n)));
  const ids = Array.from({ length: n }, (_, i) => `t${String(i + 1).padStart(4, '0')}`);
  const lines = ['version: 1', 'name: bench', 'tasks:'];
  ids.forEach((id, i) => {
    const prev = i >= w ? ids.slice(Math.floor(i / w) * w - w, Math.floor(i / w) * w) : [];
    const needs = [];
    for (let k = Math.min(prev.length, 2 + Math.floor(rnd() * 2)); k > 0; k--) needs.push(prev.splice(Math.floor(rnd() * prev.length), 1)[0]);
    lines.push(`  ${id}: {run: "true", needs: [${needs.sort().join(', ')}], outputs: [out/${id}]}`);
  });
  return `${lines.join('\n')}\n`;
}

function graphOf(file) {
  const ws = new lib.Workspace();
  ws.set(file, readFileSync(file, 'utf8'));
  const dag = ws.analyze(file).graph.dag;
  return {
    nodes: dag.nodes.map((id) => ({ id, width: lib.nodeWidth(id), height: lib.NODE_HEIGHT })),
    edges: dag.edges.map((e) => ({ from: e.from, to: e.to })),
    direction: 'TB',
  };
}

async function engineSize(spec) {
  const r = await build({ stdin: { contents: spec, resolveDir: root, loader: 'ts' }, bundle: true, platform: 'browser', format: 'iife', minify: true, write: false, logLevel: 'error' });
  const bytes = r.outputFiles[0].contents;
  return `${Math.round(bytes.length / 1024)} KB (${Math.round(gzipSync(bytes).length / 1024)} KB gz)`;
}

const only = opt('engines', '').split(',').filter(Boolean);
const allEngines = [
  { name: '@dagrejs/dagre', key: 'dagre', size: "import { dagreLayout } from './webviews/src/dag/layout/dagre-layout'; console.log(dagreLayout);" },
  { name: 'elkjs (layered)', key: 'elk', size: "import ELK from 'elkjs/lib/elk.bundled.js'; console.log(new ELK());" },
  { name: 'own fast layered', key: 'own', size: "import { layeredLayout } from './webviews/src/dag/layout/layered-layout'; console.log(layeredLayout);" },
];
const engines = only.length ? allEngines.filter((e) => only.some((o) => e.name.includes(o))) : allEngines;

/**
 * One engine on one graph in a worker thread, so a layout that runs away can be stopped
 * at the time budget (a synchronous layout cannot be interrupted otherwise).
 */
function measure(engine, input, runs) {
  return new Promise((resolve) => {
    const worker = new Worker(join(root, 'scripts', 'bench-dag-worker.mjs'), { workerData: { bundlePath, engine, input, runs } });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve({ failure: `over ${budget} s a run (stopped)` });
    }, budget * 1000 * runs);
    worker.once('message', (m) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', (err) => {
      clearTimeout(timer);
      resolve({ failure: `fails: ${err.name ?? 'Error'}: ${String(err.message).slice(0, 60)}` });
    });
  });
}

const rows = [];
const fmt = (x) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
for (const n of sizes) {
  const input = graphOf(generate(n));
  for (const e of engines) {
    const runs = n >= 5000 ? 1 : n >= 1000 ? Math.min(reps, 3) : reps;
    const r = await measure(e.key, input, runs);
    if (r.failure) {
      rows.push({ tasks: n, edges: input.edges.length, engine: e.name, time: r.failure, crossings: '–', drawing: '–' });
      process.stderr.write(`bench-dag: ${n} tasks, ${e.name}: ${r.failure}\n`);
      continue;
    }
    const times = r.times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    rows.push({
      tasks: n,
      edges: input.edges.length,
      engine: e.name,
      time: runs === 1 ? `${fmt(median)} ms (n=1)` : `${fmt(median)} ms (${fmt(times[0])}–${fmt(times[times.length - 1])}, n=${runs})`,
      crossings: r.crossings.toLocaleString('en-US'),
      drawing: `${Math.round(r.width)}×${Math.round(r.height)}`,
    });
    process.stderr.write(`bench-dag: ${n} tasks, ${e.name}: ${fmt(median)} ms\n`);
  }
}
const sizesByEngine = new Map();
for (const e of engines) sizesByEngine.set(e.name, await engineSize(e.size));

const header = ['tasks', 'edges', 'engine', 'layout time, median (min–max)', 'crossings', 'drawing (px)', 'bundle cost'];
const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
for (const r of rows) lines.push(`| ${r.tasks.toLocaleString('en-US')} | ${r.edges.toLocaleString('en-US')} | ${r.engine} | ${r.time} | ${r.crossings} | ${r.drawing} | ${sizesByEngine.get(r.engine)} |`);
process.stdout.write(`Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n\n${lines.join('\n')}\n`);
rmSync(work, { recursive: true, force: true });
