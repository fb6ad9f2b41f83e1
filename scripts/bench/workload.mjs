#!/usr/bin/env node
// The benchmarks' workload: a DAG of N tasks in one of three shapes, written as a pipeline
// and, for the anchors, as the identical build for GNU make, ninja and Snakemake.
//
//   node scripts/bench/workload.mjs N chain|wide|layered OUT.pipeline.yaml [--seed S] [--cmd true|touch] [--pipeline-only]
//
// Shapes: chain (each task needs the one before), wide (no dependencies), layered (layers of
// round(√N) tasks, each task needing 2–3 distinct tasks of the layer above, chosen by a
// seeded generator so every run and every format gets the same DAG).
// --cmd true (default): every task runs `true`; make and ninja always rerun it, Snakemake
//   marks its output with touch(). --cmd touch: every task runs `touch out/<id>` everywhere.
// Next to OUT.pipeline.yaml it writes OUT.mk, OUT.ninja, OUT.smk and OUT.dag.json ({nodes,
// edges}) unless --pipeline-only.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHAPES = ['chain', 'wide', 'layered'];

/** A small seeded PRNG (mulberry32): the same seed gives the same DAG in every run. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The DAG: tasks in order, each with the ids it needs (sorted). */
export function workload(n, shape, { seed = 42 } = {}) {
  if (!Number.isInteger(n) || n < 1) throw new Error(`N must be a whole number of at least 1, not ${n}`);
  if (!SHAPES.includes(shape)) throw new Error(`the shape must be one of ${SHAPES.join(', ')}, not ${shape}`);
  const digits = Math.max(4, String(n).length);
  const ids = Array.from({ length: n }, (_, i) => `t${String(i + 1).padStart(digits, '0')}`);
  const rnd = random(seed);
  const width = Math.max(1, Math.round(Math.sqrt(n)));
  return ids.map((id, i) => {
    if (shape === 'wide' || i === 0) return { id, needs: [] };
    if (shape === 'chain') return { id, needs: [ids[i - 1]] };
    const layer = Math.floor(i / width);
    if (layer === 0) return { id, needs: [] };
    const above = ids.slice((layer - 1) * width, layer * width);
    const needs = [];
    for (let k = Math.min(above.length, 2 + Math.floor(rnd() * 2)); k > 0; k--) needs.push(above.splice(Math.floor(rnd() * above.length), 1)[0]);
    return { id, needs: needs.sort() };
  });
}

const output = (id) => `out/${id}`;
const command = (cmd, id) => (cmd === 'touch' ? `touch ${output(id)}` : 'true');

/** Tasks nothing depends on: what "build everything" asks for. */
function sinks(tasks) {
  const needed = new Set(tasks.flatMap((t) => t.needs));
  return tasks.filter((t) => !needed.has(t.id)).map((t) => t.id);
}

export function toPipeline(tasks, { name = 'bench', cmd = 'true' } = {}) {
  const lines = ['version: 1', `name: ${name}`, 'tasks:'];
  for (const t of tasks) lines.push(`  ${t.id}: {run: "${command(cmd, t.id)}", needs: [${t.needs.join(', ')}], outputs: [${output(t.id)}]}`);
  return `${lines.join('\n')}\n`;
}

export function toMake(tasks, { cmd = 'true' } = {}) {
  // With `true` nothing is written, so targets are phony (always run); with touch they are the files.
  const target = (id) => (cmd === 'touch' ? output(id) : id);
  const lines = ['MAKEFLAGS += --no-builtin-rules --no-builtin-variables', `all: ${sinks(tasks).map(target).join(' ')}`];
  lines.push(cmd === 'touch' ? '.PHONY: all' : `.PHONY: all ${tasks.map((t) => t.id).join(' ')}`);
  for (const t of tasks) lines.push(`${target(t.id)}: ${t.needs.map(target).join(' ')}`.trimEnd(), `\t@${command(cmd, t.id)}`);
  return `${lines.join('\n')}\n`;
}

export function toNinja(tasks, { cmd = 'true' } = {}) {
  // Ninja runs a build edge whose output is missing, so with `true` every task runs each time.
  const lines = ['ninja_required_version = 1.3', 'rule task', `  command = ${cmd === 'touch' ? 'touch $out' : 'true'}`];
  for (const t of tasks) lines.push(`build ${output(t.id)}: task${t.needs.length ? ` | ${t.needs.map(output).join(' ')}` : ''}`);
  lines.push(`build all: phony ${sinks(tasks).map(output).join(' ')}`, 'default all');
  return `${lines.join('\n')}\n`;
}

export function toSnakemake(tasks, { cmd = 'true' } = {}) {
  const out = (id) => (cmd === 'touch' ? `"${output(id)}"` : `touch("${output(id)}")`);
  const lines = [
    'rule all:',
    `    input: ${sinks(tasks)
      .map((id) => `"${output(id)}"`)
      .join(', ')}`,
  ];
  for (const t of tasks) {
    lines.push('', `rule ${t.id}:`);
    if (t.needs.length) lines.push(`    input: ${t.needs.map((id) => `"${output(id)}"`).join(', ')}`);
    lines.push(`    output: ${out(t.id)}`, `    shell: "${cmd === 'touch' ? 'touch {output}' : 'true'}"`);
  }
  return `${lines.join('\n')}\n`;
}

export function toJson(tasks) {
  return `${JSON.stringify({ nodes: tasks.map((t) => t.id), edges: tasks.flatMap((t) => t.needs.map((from) => ({ from, to: t.id }))) })}\n`;
}

/** Writes the pipeline file and (unless pipelineOnly) the other formats beside it; returns the DAG. */
export function writeWorkload(n, shape, file, { seed = 42, cmd = 'true', pipelineOnly = false } = {}) {
  if (!['true', 'touch'].includes(cmd)) throw new Error(`--cmd must be true or touch, not ${cmd}`);
  if (!/\.pipeline\.ya?ml$/.test(file)) throw new Error(`${file}: the pipeline's name must end in .pipeline.yaml`);
  const tasks = workload(n, shape, { seed });
  // Every format writes its outputs into out/, which must exist for `touch`.
  mkdirSync(`${dirname(file)}/out`, { recursive: true });
  writeFileSync(file, toPipeline(tasks, { name: `bench-${shape}-${n}`, cmd }));
  if (!pipelineOnly) {
    const base = file.replace(/\.ya?ml$/, '');
    writeFileSync(`${base}.mk`, toMake(tasks, { cmd }));
    writeFileSync(`${base}.ninja`, toNinja(tasks, { cmd }));
    writeFileSync(`${base}.smk`, toSnakemake(tasks, { cmd }));
    writeFileSync(`${base}.dag.json`, toJson(tasks));
  }
  return tasks;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [n, shape, file, ...rest] = process.argv.slice(2);
  const opts = { seed: 42, cmd: 'true', pipelineOnly: false };
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--seed') opts.seed = Number(rest[++i]);
    else if (rest[i] === '--cmd') opts.cmd = rest[++i];
    else if (rest[i] === '--pipeline-only') opts.pipelineOnly = true;
    else opts.bad = rest[i];
  }
  if (!file || opts.bad) {
    console.error(
      `workload: ${opts.bad ? `unknown option ${opts.bad}` : 'missing arguments'}\nUsage: node scripts/bench/workload.mjs N chain|wide|layered OUT.pipeline.yaml [--seed S] [--cmd true|touch] [--pipeline-only]`,
    );
    process.exit(2);
  }
  try {
    const tasks = writeWorkload(Number(n), shape, file, opts);
    console.error(`workload: ${tasks.length} tasks, ${tasks.reduce((e, t) => e + t.needs.length, 0)} edges (${shape}, seed ${opts.seed}) → ${file}`);
  } catch (err) {
    console.error(`workload: ${err.message}`);
    process.exit(2);
  }
}
