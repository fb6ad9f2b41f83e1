import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileHost } from '../../agent/src/util/files';
import { FEATURE_CODES, PIPELINE_CODES, Workspace, type Diagnostic, type DiagnosticCode, type Range, type Severity, type WorkspaceOptions } from '../../core/src/index';

// Compiled to out/test/core/, so the repository root is three levels up.
export const REPO = path.resolve(__dirname, '../../..');
export const CHURN_DIR = path.join(REPO, 'examples', 'churn');
export const CHURN_PIPELINE = fs.readFileSync(path.join(CHURN_DIR, 'churn.pipeline.yaml'), 'utf8');
export const CHURN_FEATURES = fs.readFileSync(path.join(CHURN_DIR, 'churn.features.yaml'), 'utf8');

/**
 * The codes of the diagnostics table of a docs/ page (`pipeline-format.md`,
 * `feature-catalog.md` or, for the export codes, `argo.md`), each with the severity the table gives it.
 */
export function documentedCodes(page: 'pipeline-format.md' | 'feature-catalog.md' | 'argo.md'): Map<string, Severity> {
  const text = fs.readFileSync(path.join(REPO, 'docs', page), 'utf8');
  const at = text.indexOf('\n## Diagnostics');
  assert.notEqual(at, -1, `docs/${page} has no "## Diagnostics" section`);
  const rows = new Map<string, Severity>();
  for (const m of text.slice(at).matchAll(/^\| `([a-z-]+)` \| (error|warning|info) \|/gm)) {
    assert.ok(!rows.has(m[1]!), `docs/${page} lists ${m[1]} twice`);
    rows.set(m[1]!, m[2] as Severity);
  }
  return rows;
}

/** Every code the validators may emit, pipeline and catalog. */
export const ALL_CODES: ReadonlySet<string> = new Set<string>([...PIPELINE_CODES, ...FEATURE_CODES]);

/** The file system as the CLI sees it (reads not confined to a folder). */
export const nodeHost = fileHost([]);

/** The range of the `nth` (0-based) occurrence of `needle` in `text`; fails the test when absent. */
export function rangeOf(text: string, needle: string, nth = 0): Range {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    assert.notEqual(at, -1, `fixture has no occurrence #${nth} of ${JSON.stringify(needle)}`);
  }
  return { start: position(text, at), end: position(text, at + needle.length) };
}

/**
 * The range of the `innerNth` occurrence of `inner` inside the `nth` occurrence of `context`:
 * `within(text, 'needs: [a, b]', 'b')` is the `b` of that needs list.
 */
export function within(text: string, context: string, inner: string, nth = 0, innerNth = 0): Range {
  const outer = rangeOf(text, context, nth);
  const base = offsetOf(text, outer.start);
  const r = rangeOf(context, inner, innerNth);
  return { start: position(text, base + offsetOf(context, r.start)), end: position(text, base + offsetOf(context, r.end)) };
}

function offsetOf(text: string, p: { line: number; character: number }): number {
  const lines = text.split('\n');
  let o = 0;
  for (let i = 0; i < p.line; i++) o += lines[i]!.length + 1;
  return o + p.character;
}

/** The 0-based line/character of an offset, computed independently of core's LineIndex. */
export function position(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}

/** Shifts a range down by `lines` lines (for documents with a prefix line added). */
export function shift(r: Range, lines: number): Range {
  return { start: { line: r.start.line + lines, character: r.start.character }, end: { line: r.end.line + lines, character: r.end.character } };
}

/** Analyses `path` in a Workspace holding `docs` (path → text). */
export function analyze(docs: Record<string, string>, target: string, options: WorkspaceOptions = { root: '/ws' }): Diagnostic[] {
  const ws = new Workspace(options);
  for (const [p, t] of Object.entries(docs)) ws.set(p, t);
  const a = ws.analyze(target);
  assert.ok(a, `${target} was not analysed`);
  return a.diagnostics;
}

export const PIPELINE = '/ws/p.pipeline.yaml';
export const FEATURES = '/ws/f.features.yaml';

/** Diagnostics of one pipeline text, alone in its workspace. */
export function pipelineDiagnostics(text: string, others: Record<string, string> = {}): Diagnostic[] {
  return analyze({ ...others, [PIPELINE]: text }, PIPELINE);
}

/** Diagnostics of one catalog text, alone in its workspace. */
export function featureDiagnostics(text: string, others: Record<string, string> = {}): Diagnostic[] {
  return analyze({ ...others, [FEATURES]: text }, FEATURES);
}

/** What a test expects of one diagnostic: code, severity, the exact range and message fragments. */
export interface Expected {
  code: DiagnosticCode;
  severity: Severity;
  range: Range;
  /** Each fragment must occur in the message (strings) or match it (regexps). */
  message?: (string | RegExp)[];
}

/** Asserts that `diags` are exactly `expected` (any order), each with the exact range and message parts. */
export function assertDiagnostics(diags: Diagnostic[], expected: Expected[]): void {
  const show = (d: { code: string; severity: string; range: Range }) => `${d.severity} ${d.code} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`;
  const left = [...diags];
  const missing: string[] = [];
  for (const e of expected) {
    const i = left.findIndex((d) => d.code === e.code && d.severity === e.severity && sameRange(d.range, e.range) && messageMatches(d.message, e.message));
    if (i === -1) missing.push(show(e) + (e.message ? ` ${e.message.map(String).join(' … ')}` : ''));
    else left.splice(i, 1);
  }
  const extra = left.map((d) => `${show(d)} ${d.message}`);
  assert.ok(
    missing.length === 0 && extra.length === 0,
    `diagnostics differ\n  missing:\n    ${missing.join('\n    ') || '-'}\n  unexpected:\n    ${extra.join('\n    ') || '-'}\n  all:\n    ${diags.map((d) => `${show(d)} ${d.message}`).join('\n    ')}`,
  );
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

function messageMatches(message: string, parts: (string | RegExp)[] | undefined): boolean {
  return (parts ?? []).every((p) => (typeof p === 'string' ? message.includes(p) : p.test(message)));
}

/** Asserts every general property a diagnostic must have, whatever the input. */
export function assertWellFormed(text: string, diags: Diagnostic[], context = ''): void {
  // Lines as LSP counts them.
  const lines = text.split(/\r\n|\r|\n/);
  for (const d of diags) {
    const where = `${context} ${d.code} ${JSON.stringify(d.range)} "${d.message}"`;
    assert.ok(ALL_CODES.has(d.code), `undocumented code:${where}`);
    assert.ok(['error', 'warning', 'info'].includes(d.severity), `bad severity:${where}`);
    for (const p of [d.range.start, d.range.end]) {
      assert.ok(Number.isInteger(p.line) && p.line >= 0 && p.line < lines.length, `line outside the document:${where}`);
      assert.ok(Number.isInteger(p.character) && p.character >= 0 && p.character <= lines[p.line]!.length, `character outside its line:${where}`);
    }
    const { start, end } = d.range;
    assert.ok(start.line < end.line || (start.line === end.line && start.character <= end.character), `range ends before it starts:${where}`);
    assert.ok(/^\S/.test(d.message) && /[.?!)]$/.test(d.message.trim()) && d.message.trim().length > 10, `not a sentence:${where}`);
  }
}

/** Temporary folders and the files in them, shared by all suites. */
export { tempDir, writeTree } from '../files';

/** CPU time (ms) this thread has used: process.threadCpuUsage where Node has it (≥ 23.9), else the process's. */
function cpuMs(): number {
  const p = process as { threadCpuUsage?: () => NodeJS.CpuUsage };
  const u = p.threadCpuUsage ? p.threadCpuUsage() : process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Runs `fn` and returns its result with the CPU time it used in milliseconds: a bound on it
 * catches runaway work (a pathological input, a loop that never ends) without failing
 * because other work on a busy machine stretched the wall time.
 */
export function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = cpuMs();
  const value = fn();
  return { value, ms: cpuMs() - t0 };
}

/** Joins lines with '\n' and a final newline, so fixtures read like files. */
export function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same mutants on every run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
