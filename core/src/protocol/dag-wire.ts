/**
 * The DAG as the extension posts it to the webview: columns of numbers and one table of
 * strings instead of an object per node, range, diagnostic and detail. At 5,000 tasks the
 * object form is ~15 objects a node, and parsing and cloning them was most of the time
 * before the view could start its layout; numbers in flat arrays are far cheaper for both.
 *
 * The webview is a page that other frames can post to, so `decodeDag` checks every column
 * (types, lengths, index ranges) before it builds a single node, and says what is wrong.
 */
import type { DiagnosticCode, Severity } from '../diagnostics';
import type { EdgeKind } from '../graph/dag';
import type { Range } from '../text/range';
import { err, ok, type Result } from '../result';
import type { DagDiagnostic, DagEdge, DagNode, DagNodeDetails, DagResult } from './lsp';

/**
 * A string field is an index into `strings`, or -1 when the field is absent. A list per node
 * is a flat column plus a column of starts: node i's entries are from `start[i]` to
 * `start[i + 1]` (so `start` has one entry more than there are nodes).
 */
export interface DagWire {
  /** Format version. */
  v: 1;
  uri: string;
  /** Every string of the graph except the URI, once each. */
  strings: string[];
  /** Per node: its id (string index). */
  ids: number[];
  /** Per node 8 numbers: range start line, character, end line, character; then the same for the selection range. */
  ranges: number[];
  /** Per node 2 string indices (-1 = absent): description, run. */
  text: number[];
  /** Starts of each node's diagnostics in `diags`, counted in diagnostics. */
  diagStart: number[];
  /** Per diagnostic 7 numbers: code (string), severity (0 error, 1 warning, 2 info), message (string), range (4). */
  diags: number[];
  /** Per node 7 numbers: 1 when the node has details (else 0 and the rest -1), then cpu, memory, gpu, executor, image, model (string or -1). */
  facts: number[];
  inputStart: number[];
  /** Per input 2 string indices: name (or -1), path. */
  inputs: number[];
  outputStart: number[];
  /** Per output 3 string indices: name (or -1), path, kind (or -1). */
  outputs: number[];
  paramStart: number[];
  params: number[];
  featureStart: number[];
  features: number[];
  /** Per edge 4 numbers: from and to (node indices), kind (0 declared, 1 inferred), reason (string or -1). */
  edges: number[];
}

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];
const EDGE_KINDS: readonly EdgeKind[] = ['declared', 'inferred'];
const RANGE = 8;
const DIAG = 7;
const FACTS = 7;
const EDGE = 4;

/** The wire form of a graph (from `mlops/dag`); `decodeDag` gives back an equal graph. */
export function encodeDag(g: DagResult): DagWire {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const str = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      index.set(s, i);
    }
    return i;
  };
  const opt = (s: string | undefined): number => (s === undefined ? -1 : str(s));
  const range = (out: number[], r: Range) => out.push(r.start.line, r.start.character, r.end.line, r.end.character);
  const w: DagWire = {
    v: 1,
    uri: g.uri,
    strings,
    ids: [],
    ranges: [],
    text: [],
    diagStart: [0],
    diags: [],
    facts: [],
    inputStart: [0],
    inputs: [],
    outputStart: [0],
    outputs: [],
    paramStart: [0],
    params: [],
    featureStart: [0],
    features: [],
    edges: [],
  };
  const nodeIndex = new Map<string, number>();
  for (const n of g.nodes) {
    nodeIndex.set(n.id, w.ids.length);
    w.ids.push(str(n.id));
    range(w.ranges, n.range);
    range(w.ranges, n.selectionRange);
    w.text.push(opt(n.description), opt(n.run));
    for (const d of n.diagnostics) {
      w.diags.push(str(d.code), SEVERITIES.indexOf(d.severity), str(d.message));
      range(w.diags, d.range);
    }
    w.diagStart.push(w.diags.length / DIAG);
    const x = n.details;
    if (x) {
      w.facts.push(1, opt(x.resources.cpu), opt(x.resources.memory), opt(x.resources.gpu), opt(x.executor), opt(x.image), opt(x.model));
      for (const i of x.inputs) w.inputs.push(opt(i.name), str(i.path));
      for (const o of x.outputs) w.outputs.push(opt(o.name), str(o.path), opt(o.kind));
      for (const p of x.params) w.params.push(str(p));
      for (const f of x.features) w.features.push(str(f));
    } else {
      w.facts.push(0, -1, -1, -1, -1, -1, -1);
    }
    w.inputStart.push(w.inputs.length / 2);
    w.outputStart.push(w.outputs.length / 3);
    w.paramStart.push(w.params.length);
    w.featureStart.push(w.features.length);
  }
  for (const e of g.edges) {
    const from = nodeIndex.get(e.from);
    const to = nodeIndex.get(e.to);
    if (from === undefined || to === undefined) continue; // the view draws only edges between its nodes
    w.edges.push(from, to, EDGE_KINDS.indexOf(e.kind), opt(e.reason));
  }
  return w;
}

/** Checks an untrusted wire graph and rebuilds the graph; the error names the first column that is wrong. */
export function decodeDag(x: unknown): Result<DagResult> {
  const checked = checkWire(x);
  if (typeof checked === 'string') return err(`malformed graph: ${checked}`);
  return ok(build(checked));
}

type Check = string | undefined;

function checkWire(x: unknown): DagWire | string {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return 'not an object';
  const w = x as Record<keyof DagWire, unknown>;
  if (w.v !== 1) return 'unknown version (expected v: 1)';
  if (typeof w.uri !== 'string') return '`uri` is not a string';
  if (!Array.isArray(w.strings)) return '`strings` is not an array';
  const strings = w.strings as unknown[];
  for (let i = 0; i < strings.length; i++) if (typeof strings[i] !== 'string') return `\`strings[${i}]\` is not a string`;
  const s = strings.length;
  if (!Array.isArray(w.ids)) return '`ids` is not an array';
  const n = w.ids.length;
  const problem =
    ints(w, 'ids', n, 0, s) ??
    ints(w, 'ranges', n * RANGE, 0, Number.MAX_SAFE_INTEGER + 1) ??
    ints(w, 'text', n * 2, -1, s) ??
    starts(w, 'diagStart', n) ??
    ints(w, 'diags', count(w.diagStart, n) * DIAG, -1, Number.MAX_SAFE_INTEGER + 1) ??
    diagnostics(w.diags as number[], s) ??
    ints(w, 'facts', n * FACTS, -1, s) ??
    flags(w.facts as number[], n) ??
    starts(w, 'inputStart', n) ??
    ints(w, 'inputs', count(w.inputStart, n) * 2, -1, s) ??
    required(w.inputs as number[], 2, 1, 'inputs') ??
    starts(w, 'outputStart', n) ??
    ints(w, 'outputs', count(w.outputStart, n) * 3, -1, s) ??
    required(w.outputs as number[], 3, 1, 'outputs') ??
    starts(w, 'paramStart', n) ??
    ints(w, 'params', count(w.paramStart, n), 0, s) ??
    starts(w, 'featureStart', n) ??
    ints(w, 'features', count(w.featureStart, n), 0, s) ??
    edgeColumn(w, n, s);
  if (problem !== undefined) return problem;
  for (let i = 0; i < n; i++) if ((w.facts as number[])[i * FACTS] === 0 && hasEntries(w as unknown as DagWire, i)) return `node ${i} has no details but has detail entries`;
  return w as unknown as DagWire;
}

/** `w[name]` is an array of `length` integers in [lo, hi). */
function ints(w: Record<string, unknown>, name: string, length: number, lo: number, hi: number): Check {
  const a = w[name];
  if (!Array.isArray(a)) return `\`${name}\` is not an array`;
  if (a.length !== length) return `\`${name}\` has ${a.length} entries, expected ${length}`;
  for (let i = 0; i < a.length; i++) {
    const v: unknown = a[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v >= hi) return `\`${name}[${i}]\` is not an integer from ${lo} to ${hi - 1}`;
  }
  return undefined;
}

/** A column of starts: n + 1 integers from 0, never decreasing. */
function starts(w: Record<string, unknown>, name: string, n: number): Check {
  const problem = ints(w, name, n + 1, 0, Number.MAX_SAFE_INTEGER + 1);
  if (problem) return problem;
  const a = w[name] as number[];
  if (a[0] !== 0) return `\`${name}[0]\` is not 0`;
  for (let i = 1; i <= n; i++) if (a[i]! < a[i - 1]!) return `\`${name}[${i}]\` is less than the entry before it`;
  return undefined;
}

/** The number of entries a checked column of starts covers (its last entry). */
function count(start: unknown, n: number): number {
  return (start as number[])[n]!;
}

function diagnostics(d: number[], s: number): Check {
  for (let i = 0; i < d.length; i += DIAG) {
    const k = i / DIAG;
    if (d[i]! < 0 || d[i]! >= s) return `diagnostic ${k} has no code string`;
    if (d[i + 1]! < 0 || d[i + 1]! >= SEVERITIES.length) return `diagnostic ${k} has an unknown severity ${d[i + 1]}`;
    if (d[i + 2]! < 0 || d[i + 2]! >= s) return `diagnostic ${k} has no message string`;
    for (let j = 3; j < DIAG; j++) if (d[i + j]! < 0) return `diagnostic ${k} has a negative range`;
  }
  return undefined;
}

function flags(f: number[], n: number): Check {
  for (let i = 0; i < n; i++) {
    const flag = f[i * FACTS];
    if (flag !== 0 && flag !== 1) return `\`facts[${i * FACTS}]\` (node ${i} has details) is not 0 or 1`;
  }
  return undefined;
}

/** In a column of `stride` string indices per entry, the one at `at` must be present. */
function required(a: number[], stride: number, at: number, name: string): Check {
  for (let i = at; i < a.length; i += stride) if (a[i]! < 0) return `\`${name}[${i}]\` (a path) is absent`;
  return undefined;
}

function edgeColumn(w: Record<string, unknown>, n: number, s: number): Check {
  const e = w.edges;
  if (!Array.isArray(e)) return '`edges` is not an array';
  if (e.length % EDGE !== 0) return `\`edges\` has ${e.length} entries, not a multiple of ${EDGE}`;
  const problem = ints(w, 'edges', e.length, -1, Math.max(n, s));
  if (problem) return problem;
  for (let i = 0; i < e.length; i += EDGE) {
    const k = i / EDGE;
    if (e[i] < 0 || e[i] >= n || e[i + 1] < 0 || e[i + 1] >= n) return `edge ${k} refers to a node outside 0 to ${n - 1}`;
    if (e[i + 2] !== 0 && e[i + 2] !== 1) return `edge ${k} has an unknown kind ${e[i + 2]}`;
    if (e[i + 3] >= s) return `edge ${k} has a reason outside the strings`;
  }
  return undefined;
}

function hasEntries(w: DagWire, i: number): boolean {
  return w.inputStart[i + 1] !== w.inputStart[i] || w.outputStart[i + 1] !== w.outputStart[i] || w.paramStart[i + 1] !== w.paramStart[i] || w.featureStart[i + 1] !== w.featureStart[i];
}

/**
 * A node read from the wire columns. The id, texts and diagnostics are read at once; the
 * ranges and details, which the first picture does not need, when first asked for (a card
 * opens, a node is drawn with its text, the editor is revealed), and then kept.
 * `toJSON` gives the plain node.
 */
class WireNode implements DagNode {
  readonly id: string;
  description?: string;
  run?: string;
  diagnostics: DagDiagnostic[];
  private readonly w: DagWire;
  private readonly i: number;
  private rangeValue: Range | undefined;
  private selectionValue: Range | undefined;
  private detailsValue: DagNodeDetails | null | undefined;

  constructor(w: DagWire, i: number) {
    const S = w.strings;
    this.w = w;
    this.i = i;
    this.id = S[w.ids[i]!]!;
    const description = w.text[i * 2]!;
    const run = w.text[i * 2 + 1]!;
    if (description >= 0) this.description = S[description];
    if (run >= 0) this.run = S[run];
    const diagnostics: DagDiagnostic[] = [];
    for (let k = w.diagStart[i]!; k < w.diagStart[i + 1]!; k++) {
      const at = k * DIAG;
      diagnostics.push({ code: S[w.diags[at]!] as DiagnosticCode, severity: SEVERITIES[w.diags[at + 1]!]!, message: S[w.diags[at + 2]!]!, range: rangeAt(w.diags, at + 3) });
    }
    this.diagnostics = diagnostics;
  }

  get range(): Range {
    return (this.rangeValue ??= rangeAt(this.w.ranges, this.i * RANGE));
  }

  get selectionRange(): Range {
    return (this.selectionValue ??= rangeAt(this.w.ranges, this.i * RANGE + 4));
  }

  get details(): DagNodeDetails | undefined {
    if (this.detailsValue === undefined) this.detailsValue = this.w.facts[this.i * FACTS] === 1 ? details(this.w, this.i) : null;
    return this.detailsValue ?? undefined;
  }

  toJSON(): DagNode {
    const n: DagNode = { id: this.id, range: this.range, selectionRange: this.selectionRange, diagnostics: this.diagnostics };
    if (this.description !== undefined) n.description = this.description;
    if (this.run !== undefined) n.run = this.run;
    const d = this.details;
    if (d) n.details = d;
    return n;
  }
}

function rangeAt(a: number[], at: number): Range {
  return { start: { line: a[at]!, character: a[at + 1]! }, end: { line: a[at + 2]!, character: a[at + 3]! } };
}

function build(w: DagWire): DagResult {
  const S = w.strings;
  const nodes: DagNode[] = new Array<DagNode>(w.ids.length);
  for (let i = 0; i < nodes.length; i++) nodes[i] = new WireNode(w, i);
  const edges: DagEdge[] = new Array<DagEdge>(w.edges.length / EDGE);
  for (let k = 0; k < edges.length; k++) {
    const at = k * EDGE;
    const edge: DagEdge = { from: nodes[w.edges[at]!]!.id, to: nodes[w.edges[at + 1]!]!.id, kind: EDGE_KINDS[w.edges[at + 2]!]! };
    const reason = w.edges[at + 3]!;
    if (reason >= 0) edge.reason = S[reason];
    edges[k] = edge;
  }
  return { uri: w.uri, nodes, edges };
}

function details(w: DagWire, i: number): DagNodeDetails {
  const S = w.strings;
  const f = i * FACTS;
  const resources: DagNodeDetails['resources'] = {};
  if (w.facts[f + 1]! >= 0) resources.cpu = S[w.facts[f + 1]!];
  if (w.facts[f + 2]! >= 0) resources.memory = S[w.facts[f + 2]!];
  if (w.facts[f + 3]! >= 0) resources.gpu = S[w.facts[f + 3]!];
  const inputs: DagNodeDetails['inputs'] = [];
  for (let k = w.inputStart[i]!; k < w.inputStart[i + 1]!; k++) {
    const name = w.inputs[k * 2]!;
    const path = S[w.inputs[k * 2 + 1]!]!;
    inputs.push(name >= 0 ? { name: S[name], path } : { path });
  }
  const outputs: DagNodeDetails['outputs'] = [];
  for (let k = w.outputStart[i]!; k < w.outputStart[i + 1]!; k++) {
    const name = w.outputs[k * 3]!;
    const kind = w.outputs[k * 3 + 2]!;
    const entry: DagNodeDetails['outputs'][number] = name >= 0 ? { name: S[name], path: S[w.outputs[k * 3 + 1]!]! } : { path: S[w.outputs[k * 3 + 1]!]! };
    if (kind >= 0) entry.kind = S[kind];
    outputs.push(entry);
  }
  const params: string[] = [];
  for (let k = w.paramStart[i]!; k < w.paramStart[i + 1]!; k++) params.push(S[w.params[k]!]!);
  const features: string[] = [];
  for (let k = w.featureStart[i]!; k < w.featureStart[i + 1]!; k++) features.push(S[w.features[k]!]!);
  const d: DagNodeDetails = { inputs, outputs, resources, params, features };
  if (w.facts[f + 4]! >= 0) d.executor = S[w.facts[f + 4]!];
  if (w.facts[f + 5]! >= 0) d.image = S[w.facts[f + 5]!];
  if (w.facts[f + 6]! >= 0) d.model = S[w.facts[f + 6]!];
  return d;
}
