#!/usr/bin/env node
// Measures the two maintained layout libraries (and the view's own fast layered engine) on
// generated pipelines, as the DAG view would call them: `npm run bench:dag`.
//
//   node scripts/bench-dag.mjs [--sizes 100,1000,5000] [--reps 5] [--engines dagre,elk,own]
//
// Each pipeline comes from /work/shared/bench/gen-pipeline.mjs (layered shape, fixed seed)
// or, when that is missing, an equivalent generator below; it goes through core's Workspace
// exactly like the editor, and the webview's own adapters lay it out. Prints a markdown table:
// median time (min–max), edge crossings between adjacent layers, drawing size, and the
// minified size each engine adds to the webview bundle.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const sizes = opt('sizes', '100,1000,5000').split(',').map(Number);
const reps = Number(opt('reps', '5'));
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

async function elkLayout(input) {
  const graph = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.layered.spacing.nodeNodeBetweenLayers': String(lib.SPACING.rank),
      'elk.spacing.nodeNode': String(lib.SPACING.node),
      'elk.padding': `[top=${lib.SPACING.margin},left=${lib.SPACING.margin},bottom=${lib.SPACING.margin},right=${lib.SPACING.margin}]`,
    },
    children: input.nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
    edges: input.edges.map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to] })),
  };
  const out = await lib.elk.layout(graph);
  const nodes = new Map(out.children.map((c) => [c.id, { x: c.x + c.width / 2, y: c.y + c.height / 2 }]));
  return { nodes, width: out.width, height: out.height };
}

/** Crossings between edges that join adjacent longest-path layers, from each engine's x order. */
function crossings(input, nodes) {
  const rank = new Map();
  const parents = new Map(input.nodes.map((n) => [n.id, []]));
  for (const e of input.edges) parents.get(e.to).push(e.from);
  for (const n of input.nodes) rank.set(n.id, Math.max(-1, ...parents.get(n.id).map((p) => rank.get(p) ?? 0)) + 1);
  const gaps = new Map();
  for (const e of input.edges) {
    if (rank.get(e.to) !== rank.get(e.from) + 1) continue;
    const list = gaps.get(rank.get(e.from)) ?? [];
    list.push([nodes.get(e.from).x, nodes.get(e.to).x]);
    gaps.set(rank.get(e.from), list);
  }
  let count = 0;
  for (const list of gaps.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const [a1, b1] = list[i];
        const [a2, b2] = list[j];
        if ((a1 - a2) * (b1 - b2) < 0) count++;
      }
    }
  }
  return count;
}

async function time(fn) {
  const t = performance.now();
  const r = await fn();
  return { ms: performance.now() - t, r };
}

async function engineSize(spec) {
  const r = await build({ stdin: { contents: spec, resolveDir: root, loader: 'ts' }, bundle: true, platform: 'browser', format: 'iife', minify: true, write: false, logLevel: 'error' });
  const bytes = r.outputFiles[0].contents;
  return `${Math.round(bytes.length / 1024)} KB (${Math.round(gzipSync(bytes).length / 1024)} KB gz)`;
}

const only = opt('engines', '').split(',').filter(Boolean);
const allEngines = [
  { name: '@dagrejs/dagre', run: (g) => lib.dagreLayout(g), size: "import { dagreLayout } from './webviews/src/dag/layout/dagre-layout'; console.log(dagreLayout);" },
  { name: 'elkjs (layered)', run: (g) => elkLayout(g), size: "import ELK from 'elkjs/lib/elk.bundled.js'; console.log(new ELK());" },
  { name: 'own fast layered', run: (g) => lib.layeredLayout(g), size: "import { layeredLayout } from './webviews/src/dag/layout/layered-layout'; console.log(layeredLayout);" },
];

const engines = only.length ? allEngines.filter((e) => only.some((o) => e.name.includes(o))) : allEngines;
const rows = [];
const fmt = (x) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
for (const n of sizes) {
  const input = graphOf(generate(n));
  for (const e of engines) {
    const runs = n >= 5000 ? Math.min(reps, 2) : reps;
    const times = [];
    let last;
    let failure;
    for (let i = 0; i < runs && !failure; i++) {
      try {
        const { ms, r } = await time(() => e.run(input));
        times.push(ms);
        last = r;
      } catch (err) {
        failure = `fails: ${err.name ?? 'Error'}: ${String(err.message).slice(0, 60)}`;
      }
    }
    if (failure) {
      rows.push({ tasks: n, edges: input.edges.length, engine: e.name, time: failure, crossings: '–', drawing: '–' });
      process.stderr.write(`bench-dag: ${n} tasks, ${e.name}: ${failure}\n`);
      continue;
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    rows.push({
      tasks: n,
      edges: input.edges.length,
      engine: e.name,
      time: `${fmt(median)} ms (${fmt(times[0])}–${fmt(times[times.length - 1])}, n=${runs})`,
      crossings: crossings(input, last.nodes).toLocaleString('en-US'),
      drawing: `${Math.round(last.width)}×${Math.round(last.height)}`,
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
