import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { documentKind } from '../../../core/src/index';
import type { DagNodeDetails, DagResult } from '../../../core/src/protocol/lsp';
import { dagOf } from '../../../core/src/query/dag';
import { withDetails } from '../../../core/src/query/dag-details';
import { describeUnread } from '../../../core/src/node/read';
import { format, InputError, option, parseArgs, UsageError } from '../util/args';
import { projectWorkspace } from '../load';
import { readDocument, toPosix, workspaceRoot } from '../util/files';
import type { Command } from './command';

/** One task as `mlops dag --format json` prints it: the DAG view's facts, `line` 1-based. */
export interface JsonDagNode extends DagNodeDetails {
  id: string;
  line: number;
  description?: string;
  run?: string;
  diagnostics: { severity: string; code: string; message: string; line: number; column: number }[];
}

export interface JsonDag {
  pipeline: string | null;
  file: string;
  nodes: JsonDagNode[];
  edges: { from: string; to: string; kind: 'declared' | 'inferred'; reason?: string }[];
}

type Direction = 'TB' | 'LR';

export const dagCommand: Command = {
  name: 'dag',
  summary: 'Print the dependency graph of a pipeline as JSON, Graphviz DOT or Mermaid',
  usage: 'mlops dag <file.pipeline.yaml> [--format json|dot|mermaid] [--direction TB|LR]',
  run(argv) {
    const args = parseArgs(argv, { values: ['format', 'direction'] });
    const fmt = format(args, ['json', 'dot', 'mermaid'] as const, 'json');
    const direction = (option(args, 'direction') ?? 'TB').toUpperCase();
    if (direction !== 'TB' && direction !== 'LR') throw new UsageError('--direction must be TB (top-down) or LR (left to right).');
    if (args.positionals.length !== 1) throw new UsageError('Name exactly one pipeline file, e.g. mlops dag examples/churn/churn.pipeline.yaml.');
    const cwd = process.cwd();
    const file = path.resolve(cwd, args.positionals[0]!);
    if (documentKind(file) !== 'pipeline') throw new UsageError(`${args.positionals[0]}: not a *.pipeline.yaml file.`);
    if (!fs.existsSync(file)) throw new UsageError(`${args.positionals[0]}: no such file.`);
    const read = readDocument(file);
    if (!read.ok) throw new InputError(`${args.positionals[0]} ${describeUnread(read.error)}; name a regular *.pipeline.yaml file.`);
    const root = workspaceRoot(path.dirname(file));
    // Feature catalogs decide unknown-feature errors, as in the editor.
    const ws = projectWorkspace(root);
    ws.set(toPosix(file), read.value);
    const a = ws.analyze(toPosix(file))!;
    const graph = withDetails(a, dagOf(a, pathToFileURL(file).href));
    const dag = toJson(graph, a.pipeline?.name?.value ?? null, path.relative(cwd, file) || file);
    const text = fmt === 'json' ? JSON.stringify(dag, null, 2) : fmt === 'dot' ? toDot(dag, direction) : toMermaid(dag, direction);
    process.stdout.write(`${text}\n`);
    const errors = a.diagnostics.filter((d) => d.severity === 'error').length;
    if (errors > 0) {
      process.stderr.write(`mlops dag: ${dag.file} has ${errors} error${errors === 1 ? '' : 's'}; the graph shows what could be read. Run 'mlops validate ${dag.file}' for details.\n`);
      return 1;
    }
    return 0;
  },
};

function toJson(g: DagResult, pipeline: string | null, file: string): JsonDag {
  return {
    pipeline,
    file,
    nodes: g.nodes.map((n): JsonDagNode => {
      const d = n.details;
      // Keys in reading order: what the task is, what it touches, what is wrong with it.
      return {
        id: n.id,
        line: n.selectionRange.start.line + 1,
        ...(n.description !== undefined ? { description: n.description } : {}),
        ...(n.run !== undefined ? { run: n.run } : {}),
        ...(d?.executor !== undefined ? { executor: d.executor } : {}),
        ...(d?.image !== undefined ? { image: d.image } : {}),
        inputs: d?.inputs ?? [],
        outputs: d?.outputs ?? [],
        resources: d?.resources ?? {},
        params: d?.params ?? [],
        features: d?.features ?? [],
        ...(d?.model !== undefined ? { model: d.model } : {}),
        diagnostics: n.diagnostics.map((x) => ({ severity: x.severity, code: x.code, message: x.message, line: x.range.start.line + 1, column: x.range.start.character + 1 })),
      };
    }),
    edges: g.edges.map((e) => (e.reason === undefined ? { from: e.from, to: e.to, kind: e.kind } : { from: e.from, to: e.to, kind: e.kind, reason: e.reason })),
  };
}

/** Graphviz: rounded boxes, declared edges solid, inferred ones dashed with their reason as tooltip. */
export function toDot(g: JsonDag, direction: Direction): string {
  const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
  const lines = [`digraph ${q(g.pipeline ?? 'pipeline')} {`, `  rankdir=${direction};`, '  node [shape=box, style="rounded", fontname="Helvetica", fontsize=11];', '  edge [fontname="Helvetica", fontsize=9];'];
  for (const n of g.nodes) {
    const attrs = [`label=${q(n.id)}`];
    if (n.description) attrs.push(`tooltip=${q(n.description)}`);
    if (n.diagnostics.some((d) => d.severity === 'error')) attrs.push('color="red"');
    lines.push(`  ${q(n.id)} [${attrs.join(', ')}];`);
  }
  for (const e of g.edges) {
    const attrs = e.kind === 'inferred' ? [`style=dashed`, ...(e.reason ? [`tooltip=${q(e.reason)}`] : [])] : [];
    lines.push(`  ${q(e.from)} -> ${q(e.to)}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
  }
  lines.push('}');
  return lines.join('\n');
}

/** Words a Mermaid flowchart does not accept as a node id. */
const MERMAID_RESERVED = new Set(['end', 'graph', 'subgraph', 'flowchart', 'style', 'class', 'classDef', 'click', 'linkStyle', 'default', 'direction']);

/** Mermaid flowchart: `-->` for declared needs, `-.->` for inferred edges. */
export function toMermaid(g: JsonDag, direction: Direction): string {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  g.nodes.forEach((n, i) => {
    // Task ids are usually valid Mermaid ids; anything else gets a numbered one.
    let id = /^[A-Za-z][A-Za-z0-9_]*$/.test(n.id) && !MERMAID_RESERVED.has(n.id) ? n.id : `t${i + 1}`;
    while (used.has(id)) id = `${id}_`;
    used.add(id);
    ids.set(n.id, id);
  });
  const label = (s: string) => `"${s.replace(/"/g, '#quot;')}"`;
  const lines = [`flowchart ${direction === 'TB' ? 'TD' : 'LR'}`];
  for (const n of g.nodes) lines.push(`  ${ids.get(n.id)}[${label(n.id)}]`);
  for (const e of g.edges) {
    const a = ids.get(e.from);
    const b = ids.get(e.to);
    if (a && b) lines.push(`  ${a} ${e.kind === 'inferred' ? '-.->' : '-->'} ${b}`);
  }
  return lines.join('\n');
}
