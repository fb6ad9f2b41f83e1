import { parseDocument, type Document } from 'yaml';
import { LineIndex, type Span } from '../text/range';
import { parseFast } from './fast';
import { duplicateKeyProblem, toTree, type TreeProblem, type YEntry, type YMap, type YValue } from './tree';

/** Files larger than this are refused with a diagnostic instead of being parsed. */
export const MAX_FILE_CHARS = 2 * 1024 * 1024;

/** A parsed document: the tree (null when there is no content) and the problems met on the way. */
export interface ParsedYaml {
  text: string;
  root: YValue | null;
  problems: TreeProblem[];
  lines: LineIndex;
}

/** A parsed and converted piece, with the offset its spans currently carry. */
interface CachedPiece {
  /** The library's document, when the piece was not simple enough for the fast path. */
  doc: Document.Parsed | undefined;
  tree: YValue | null;
  /** Problems with spans relative to the piece's start; handed out as copies, never shifted. */
  problems: TreeProblem[];
  base: number;
  /** Pieces with anchors share subtrees between places; they are converted afresh every time. */
  shiftable: boolean;
}

/**
 * Remembers parsed pieces of a document between edits, so that an edit re-parses only the
 * top-level section or task it touched; unchanged pieces are reused with their spans moved.
 * One cache per document; the trees it hands out belong to the latest analysis only.
 */
export class ParseCache {
  private pieces = new Map<string, CachedPiece>();
  private next = new Map<string, CachedPiece>();

  /** The converted piece for `text` starting at `base`, parsing only text not seen last round. */
  piece(text: string, base: number, problems: TreeProblem[]): { tree: YValue | null } {
    const reused = this.next.has(text) ? undefined : this.pieces.get(text);
    if (reused && reused.shiftable) {
      if (reused.base !== base) {
        shiftTree(reused.tree, base - reused.base);
        reused.base = base;
      }
      this.next.set(text, reused);
      problems.push(...placed(reused.problems, base));
      return reused;
    }
    let doc = reused ? reused.doc : this.next.get(text)?.doc;
    let own: TreeProblem[] = [];
    let tree: YValue | null;
    // A piece with a document was checked when it was first parsed.
    if (!doc) {
      const deep = nestingProblem(text, base);
      if (deep) throw new TooDeep(deep);
    }
    // A piece the library had to parse before is no simpler now; otherwise try the fast path.
    const fast = doc ? undefined : parseFast(text, base);
    if (fast) {
      tree = fast.tree;
      own = fast.problems;
    } else {
      doc ??= parseDocument(text, PARSE_OPTIONS) as Document.Parsed;
      tree = convert(doc, base, own);
    }
    // Problems may share span arrays with the tree (a duplicate key's span is its key's), which
    // shiftTree moves; the cache keeps its own relative copies so nothing is shifted twice.
    const relative = placed(own, -base);
    problems.push(...placed(relative, base));
    // A text seen twice in one round (say, a duplicated task) gets its own tree each time.
    if (!this.next.has(text)) this.next.set(text, { doc, tree, problems: relative, base, shiftable: !hasAnchors(text) });
    return { tree };
  }

  /** Forgets pieces not used since the previous round. */
  endRound(): void {
    this.pieces = this.next;
    this.next = new Map();
  }
}

function hasAnchors(text: string): boolean {
  return /(^|[\s[{,:-])&[^\s&]/.test(text);
}

/** Copies of `problems` with their spans moved by `delta`. */
function placed(problems: readonly TreeProblem[], delta: number): TreeProblem[] {
  return problems.map((p) => ({ ...p, span: [p.span[0] + delta, p.span[1] + delta] as const }));
}

function shift(span: Span, delta: number): void {
  const s = span as [number, number];
  s[0] += delta;
  s[1] += delta;
}

function shiftTree(v: YValue | null, delta: number): void {
  if (!v) return;
  shift(v.span, delta);
  if (v.kind === 'map') {
    for (const e of v.entries) {
      shift(e.keySpan, delta);
      shiftTree(e.value, delta);
    }
  } else if (v.kind === 'seq') for (const i of v.items) shiftTree(i, delta);
}

const PARSE_OPTIONS = { uniqueKeys: false, strict: true, prettyErrors: false, keepSourceTokens: false } as const;

/** Parses YAML text into a position-carrying tree; never throws. */
export function parseYaml(text: string, cache: ParseCache = new ParseCache()): ParsedYaml {
  const lines = new LineIndex(text);
  const refused = (problem: TreeProblem): ParsedYaml => ({ text, root: null, problems: [problem], lines });
  const large = tooLarge(text);
  if (large) return refused(large);
  const binary = controlCharacter(text);
  // Both wrong: the nesting is named first.
  if (binary) return refused(nestingProblem(text, 0) ?? binary);
  const problems: TreeProblem[] = [];
  let root: YValue | null = null;
  try {
    // Each piece's nesting is checked before the piece is parsed (and only then: a piece seen
    // last round was checked then), so an edit does not scan the whole text for it.
    const pieces = parseInPieces(text, cache, problems);
    if (pieces === undefined) {
      const deep = nestingProblem(text, 0);
      if (deep) return refused(deep);
      root = parseWhole(text, problems);
    } else root = pieces;
  } catch (err) {
    if (err instanceof TooDeep) return refused(err.problem);
    problems.push({ code: 'yaml-syntax', message: `The YAML parser failed: ${(err as Error).message}`, span: [0, 0] });
  } finally {
    cache.endRound();
  }
  return { text, root, problems, lines };
}

/** Thrown out of the piecewise parse when a piece nests too deeply to be handed to a parser. */
class TooDeep extends Error {
  constructor(readonly problem: TreeProblem) {
    super(problem.message);
  }
}

function parseWhole(text: string, problems: TreeProblem[]): YValue | null {
  const fast = parseFast(text, 0);
  if (fast) {
    problems.push(...fast.problems);
    return fast.tree;
  }
  return parseWithLibrary(text, 0, problems);
}

/** The reference path: the `yaml` library's parse converted by toTree (spans shifted by `base`). */
export function parseWithLibrary(text: string, base: number, problems: TreeProblem[]): YValue | null {
  const doc = parseDocument(text, PARSE_OPTIONS) as Document.Parsed;
  return convert(doc, base, problems);
}

function convert(doc: Document.Parsed, base: number, problems: TreeProblem[]): YValue | null {
  let lost = false;
  for (const e of doc.errors) {
    // Once the parser has lost the structure it reports every later token; the first says enough.
    if (/in YAML stream/.test(e.message)) {
      if (lost) continue;
      lost = true;
    }
    problems.push({ code: 'yaml-syntax', message: yamlMessage(e.code, e.message), span: [base + e.pos[0], base + Math.max(e.pos[1], e.pos[0])] });
  }
  return toTree(doc, base, problems);
}

/** Oversized files are refused before the parser sees them. */
function tooLarge(text: string): TreeProblem | undefined {
  if (text.length <= MAX_FILE_CHARS) return undefined;
  const mb = (text.length / (1024 * 1024)).toFixed(1);
  const end = text.indexOf('\n');
  return {
    code: 'yaml-syntax',
    message: `This file is ${mb} MB; files over ${MAX_FILE_CHARS / (1024 * 1024)} MB are not checked. Split it into several files.`,
    span: [0, end === -1 ? Math.min(text.length, 80) : end],
  };
}

/** Binary content is refused before the parser sees it. */
function controlCharacter(text: string): TreeProblem | undefined {
  // eslint-disable-next-line no-control-regex
  const bad = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFD\uFFFE\uFFFF]/.exec(text);
  if (!bad) return undefined;
  const ch = bad[0].charCodeAt(0);
  const what = ch === 0xfffd ? 'bytes that are not valid UTF-8' : `the control character U+${ch.toString(16).toUpperCase().padStart(4, '0')}`;
  return {
    code: 'yaml-syntax',
    message: `The file contains ${what}; it must be UTF-8 text. Re-save it as UTF-8 and remove binary content.`,
    span: [bad.index, bad.index + 1],
  };
}

/** Nesting too deep to parse in `text`, which starts at `base` in the document (see tooDeep). */
function nestingProblem(text: string, base: number): TreeProblem | undefined {
  const deep = tooDeep(text);
  if (deep === undefined) return undefined;
  return {
    code: 'yaml-syntax',
    message: `Nesting is deeper than ${MAX_PARSE_DEPTH} levels here; flatten the structure (no pipeline or catalog needs more than a few).`,
    span: [base + deep, base + Math.min(deep + 1, text.length)],
  };
}

/** The parser's message, first line only, with advice on the usual fix. */
/**
 * Nesting deeper than this is refused before parsing. The parser recurses once per level and
 * runs out of stack near 2,000 levels (and V8 may abort the whole process if that happens
 * while it compiles a regular expression), so the limit keeps well clear of it.
 */
const MAX_PARSE_DEPTH = 500;

/**
 * Where the nesting first exceeds MAX_PARSE_DEPTH, estimated from above without parsing:
 * a line's indentation plus its compact `- ` indicators plus the open flow collections
 * (`[`, `{` where a node starts, outside quotes and comments). Undefined when shallow enough.
 */
function tooDeep(text: string): number | undefined {
  let flow = 0;
  let block = 0;
  let nodeStart = true;
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) {
      lineStart = true;
      nodeStart = true;
      block = 0;
      continue;
    }
    if (c === 0x20 || c === 0x09) {
      if (lineStart) block++;
      continue;
    }
    if (lineStart && block > MAX_PARSE_DEPTH) return i;
    lineStart = false;
    if (c === 0x23 /* # */ && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i + 1 < text.length && text.charCodeAt(i + 1) !== 0x0a && text.charCodeAt(i + 1) !== 0x0d) i++;
      continue;
    }
    if (nodeStart && (c === 0x22 || c === 0x27) /* " ' */) {
      // Skip the quoted scalar; a quote ends it ('' is an escaped single quote, \ escapes in "").
      for (i++; i < text.length; i++) {
        const q = text.charCodeAt(i);
        if (c === 0x22 && q === 0x5c) i++;
        else if (q === c) {
          if (c === 0x27 && text.charCodeAt(i + 1) === 0x27) i++;
          else break;
        }
      }
      nodeStart = false;
      continue;
    }
    if (nodeStart && (c === 0x5b || c === 0x7b) /* [ { */) {
      flow++;
      if (block + flow > MAX_PARSE_DEPTH) return i;
      continue;
    }
    if ((c === 0x5d || c === 0x7d) /* ] } */ && flow > 0) {
      flow--;
      nodeStart = false;
      continue;
    }
    const next = text.charCodeAt(i + 1);
    const spaced = i + 1 >= text.length || next === 0x20 || next === 0x0a || next === 0x0d || next === 0x09;
    if ((c === 0x2d || c === 0x3f) /* - ? */ && nodeStart && spaced) {
      block++;
      if (block + flow > MAX_PARSE_DEPTH) return i;
      continue;
    }
    if (c === 0x3a /* : */ && (spaced || flow > 0)) {
      nodeStart = true;
      continue;
    }
    if (c === 0x2c /* , */ && flow > 0) {
      nodeStart = true;
      continue;
    }
    // Anchors and tags come before a node and leave it still to start.
    if ((c === 0x26 || c === 0x21) /* & ! */ && nodeStart) {
      while (i + 1 < text.length && !/[\s,[\]{}]/.test(text[i + 1]!)) i++;
      continue;
    }
    nodeStart = false;
  }
  if (block + flow > MAX_PARSE_DEPTH) return text.length;
  return undefined;
}

function yamlMessage(code: string, raw: string): string {
  let first = raw.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  if (!/[.!?]$/.test(first)) first += '.';
  switch (code) {
    case 'RESOURCE_EXHAUSTION':
      return 'The document is nested too deeply to be parsed; flatten the structure.';
    case 'TAB_AS_INDENT':
      return `${first} Indent with spaces instead.`;
    case 'BLOCK_AS_IMPLICIT_KEY':
      return /compact/.test(first) ? `${first} If the value contains ': ', put it in quotes; otherwise start the nested mapping on a new line.` : `${first} Fix the YAML syntax here.`;
    default:
      return /quote/.test(first) && code === 'MISSING_CHAR' ? `${first} Add the closing quote.` : `${first} Fix the YAML syntax here.`;
  }
}

// ---------------------------------------------------------------------------------------------
// Piecewise parsing. A pipeline is a top-level block mapping whose `tasks` entry is a block
// mapping with one entry per task. Each top-level section and each task is parsed on its own,
// so an edit re-parses one piece. Documents of any other shape are parsed whole.

interface Piece {
  start: number;
  end: number;
}

/** Returns undefined when the text does not have the simple shape piecewise parsing needs. */
function parseInPieces(text: string, cache: ParseCache, problems: TreeProblem[]): YValue | null | undefined {
  const sections = splitTopLevel(text);
  if (!sections) return undefined;
  const local: TreeProblem[] = [];
  const top: YMap = { kind: 'map', entries: [], span: [0, text.length] };
  let first: Span | undefined;
  let last: Span | undefined;
  for (const section of sections) {
    const header = /^tasks[ \t]*:[ \t]*(#.*)?$/.exec(text.slice(section.start, lineEnd(text, section.start)));
    if (header) {
      const entry = parseTasksSection(text, section, cache, local);
      if (entry === undefined || entry.value === null) return undefined;
      top.entries.push(entry);
      first ??= entry.keySpan;
      last = entry.value.span;
      continue;
    }
    const { tree: value } = cache.piece(text.slice(section.start, section.end), section.start, local);
    if (value === null) continue;
    if (value.kind !== 'map') return undefined;
    top.entries.push(...value.entries);
    first ??= value.span;
    last = value.span;
  }
  if (top.entries.length === 0 || !first || !last) return undefined;
  // A syntax error (or an alias to an anchor in another piece) can depend on the text around
  // the piece; the whole parse is the reference, so let it decide.
  if (local.some((p) => p.code === 'yaml-syntax')) return undefined;
  // The same extent the whole parse gives the top-level mapping: first key to end of last value.
  top.span = [first[0], last[1]];
  markDuplicates(top, local);
  problems.push(...local);
  return top;
}

function parseTasksSection(text: string, section: Piece, cache: ParseCache, problems: TreeProblem[]): YEntry | undefined {
  const headerEnd = lineEnd(text, section.start);
  const keySpan: Span = [section.start, section.start + 5];
  const tasks = splitIndented(text, headerEnd + 1, section.end);
  if (tasks === undefined) return undefined;
  if (tasks.length === 0) return { key: 'tasks', keySpan, value: null };
  const map: YMap = { kind: 'map', entries: [], span: [tasks[0]!.start, tasks[tasks.length - 1]!.end] };
  let first: Span | undefined;
  let last: Span | undefined;
  for (const t of tasks) {
    const { tree: value } = cache.piece(text.slice(t.start, t.end), t.start, problems);
    if (value === null) continue;
    if (value.kind !== 'map') return undefined;
    map.entries.push(...value.entries);
    first ??= value.span;
    last = value.span;
  }
  if (!first || !last) return undefined;
  map.span = [first[0], last[1]];
  markDuplicates(map, problems);
  return { key: 'tasks', keySpan, value: map };
}

function markDuplicates(map: YMap, problems: TreeProblem[]): void {
  const seen = new Set<string>();
  for (const e of map.entries) {
    if (seen.has(e.key) && !problems.some((p) => p.code === 'duplicate-key' && p.span[0] === e.keySpan[0])) {
      problems.push(duplicateKeyProblem(e.key, e.keySpan));
    }
    seen.add(e.key);
  }
}

function lineEnd(text: string, from: number): number {
  const i = text.indexOf('\n', from);
  return i === -1 ? text.length : i;
}

/** Splits at lines that start a top-level key in column 0. */
function splitTopLevel(text: string): Piece[] | undefined {
  const pieces: Piece[] = [];
  let start = -1;
  for (let pos = 0; pos < text.length;) {
    const end = lineEnd(text, pos);
    const c = text.charCodeAt(pos);
    // Indented content before the first key belongs to no piece: only the full parser knows what it is.
    if (start === -1 && c === 0x20 && !/^ *(#.*)?\r?$/.test(text.slice(pos, end))) return undefined;
    if (pos < end && c !== 0x20 && c !== 0x23 /* # */ && c !== 0x0d) {
      // Directives, document markers, sequences and flow or quoted keys at the top need the full parser.
      if (c === 0x25 /* % */ || c === 0x2d /* - */ || c === 0x2e /* . */ || c === 0x7b || c === 0x5b || c === 0x09 || c === 0x22 || c === 0x27 || c === 0x3f || c === 0x26 || c === 0x2a || c === 0x21) return undefined;
      // A byte order mark is dropped at the start of a piece but is text in the middle of a file.
      if (c === 0xfeff) return undefined;
      if (start !== -1) pieces.push({ start, end: pos });
      start = pos;
    }
    pos = end + 1;
  }
  if (start === -1) return undefined;
  pieces.push({ start, end: text.length });
  // Comments and blank lines above the first key belong to no piece; that is fine.
  return pieces;
}

/** Splits a block mapping's body into one piece per key at the body's indentation. */
function splitIndented(text: string, from: number, to: number): Piece[] | undefined {
  const pieces: Piece[] = [];
  let indent = -1;
  let start = -1;
  for (let pos = from; pos < to;) {
    const end = Math.min(lineEnd(text, pos), to);
    let i = pos;
    while (i < end && text.charCodeAt(i) === 0x20) i++;
    const c = text.charCodeAt(i);
    const blank = i >= end || c === 0x23 || c === 0x0d;
    if (!blank) {
      if (text.charCodeAt(i) === 0x09) return undefined;
      const col = i - pos;
      if (indent === -1) {
        if (col === 0) return undefined;
        indent = col;
      }
      if (col < indent) return undefined;
      if (col === indent) {
        if (c === 0x2d || c === 0x7b || c === 0x5b || c === 0x22 || c === 0x27 || c === 0x3f || c === 0x26 || c === 0x2a || c === 0x21) return undefined;
        if (start !== -1) pieces.push({ start, end: pos });
        start = pos;
      }
    }
    pos = end + 1;
  }
  if (start !== -1) pieces.push({ start, end: to });
  return pieces;
}
