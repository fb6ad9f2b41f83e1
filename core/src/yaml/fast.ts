import type { Span } from '../text/range';
import { duplicateKeyProblem, type TreeProblem, type YEntry, type YMap, type YScalar, type YSeq, type YValue } from './tree';

// A fast path for the simple YAML most pipelines are written in: block mappings with plain
// keys, block sequences of one-line items, plain and quoted one-line scalars, one-line flow
// collections and trailing comments. It builds exactly the tree (values, spans, key order,
// duplicate-key problems) that the `yaml` library plus toTree() builds, and gives up
// (returns undefined) on anything else: the library then parses the text as before. Giving
// up is always safe, so whenever the library's behaviour is in doubt this code gives up.

/** Thrown (as this one object) to give up; caught in parseFast. */
const BAIL = { bail: true };

/**
 * Characters after which no fast parse is attempted: tabs, carriage returns, backslashes (escapes),
 * control and format characters, and line or paragraph separators.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\\\u2028\u2029\ufeff\ufffe\uffff]/;

/** Deeper nesting than this is left to the library (toTree reports excessive depth). */
const MAX_FAST_DEPTH = 64;

/**
 * The tree of `text` with spans shifted by `base`, and the duplicate-key problems toTree would
 * report; undefined when the text is outside the simple subset (or empty).
 */
export function parseFast(text: string, base: number): { tree: YValue; problems: TreeProblem[] } | undefined {
  if (UNSAFE.test(text)) return undefined;
  const p = new FastParser(text, base);
  try {
    const tree = p.document();
    return { tree, problems: p.problems };
  } catch (err) {
    if (err === BAIL) return undefined;
    throw err;
  }
}

const NL = 0x0a;
const SP = 0x20;
const HASH = 0x23;
const COLON = 0x3a;
const COMMA = 0x2c;
const DASH = 0x2d;
const DQ = 0x22;
const SQ = 0x27;
const LBRACK = 0x5b;
const RBRACK = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;

/** A parsed block node: the node, where its last value's trailing trivia ends, the next content line. */
interface Block {
  node: YValue;
  /** The library's range[2] of the node (end of the last line, with its line break). */
  end: number;
  /** Start of the next content line (indentation included), or -1 at the end of the text. */
  next: number;
}

class FastParser {
  readonly problems: TreeProblem[] = [];
  constructor(
    private readonly text: string,
    private readonly base: number,
  ) {}

  document(): YValue {
    const t = this.text;
    // Comment lines before the first content line belong to the document, not to the tree.
    let ls = 0;
    for (;;) {
      if (ls >= t.length) throw BAIL;
      const i = this.skipSpaces(ls);
      const c = t.charCodeAt(i);
      if (i >= t.length) throw BAIL;
      if (c === NL) {
        ls = i + 1;
        continue;
      }
      if (c === HASH) {
        const e = t.indexOf('\n', i);
        if (e === -1) throw BAIL;
        ls = e + 1;
        continue;
      }
      break;
    }
    const indent = this.skipSpaces(ls) - ls;
    this.checkLineStart(ls, indent);
    const b = this.block(ls, indent, 0);
    if (b.next !== -1) throw BAIL;
    return b.node;
  }

  private skipSpaces(i: number): number {
    const t = this.text;
    while (t.charCodeAt(i) === SP) i++;
    return i;
  }

  /** Document markers and directives at the start of a line are the library's business. */
  private checkLineStart(ls: number, indent: number): void {
    if (indent !== 0) return;
    const t = this.text;
    const c = t.charCodeAt(ls);
    if (c === 0x25 /* % */) throw BAIL;
    if ((c === DASH || c === 0x2e) /* . */ && t.startsWith(c === DASH ? '---' : '...', ls)) throw BAIL;
  }

  /** From a line start, the start of the next line with content; -1 at the end. Gives up on comment lines. */
  private nextContent(ls: number): number {
    const t = this.text;
    while (ls < t.length) {
      const i = this.skipSpaces(ls);
      if (i >= t.length) return -1;
      const c = t.charCodeAt(i);
      if (c === NL) {
        ls = i + 1;
        continue;
      }
      if (c === HASH) throw BAIL;
      this.checkLineStart(ls, i - ls);
      return ls;
    }
    return -1;
  }

  private indentOf(ls: number): number {
    return this.skipSpaces(ls) - ls;
  }

  private block(ls: number, indent: number, depth: number): Block {
    if (depth > MAX_FAST_DEPTH) throw BAIL;
    const c = this.text.charCodeAt(ls + indent);
    if (c === DASH) return this.blockSeq(ls, indent, depth);
    return this.blockMap(ls, indent, depth);
  }

  private span(a: number, b: number): Span {
    return [this.base + a, this.base + b];
  }

  private blockMap(ls: number, indent: number, depth: number): Block {
    const t = this.text;
    const entries: YEntry[] = [];
    const start = ls + indent;
    const keys = new KeySet();
    let end = start;
    let next = ls;
    while (next !== -1) {
      const p = this.lineContent(next, indent);
      if (p === -1) break;
      // The key: a plain scalar of ordinary characters, then ':' and a space or the line end.
      let q = p;
      const first = t.charCodeAt(q);
      if (!isKeyStart(first)) throw BAIL;
      for (;;) {
        const k = t.charCodeAt(q);
        if (k === COLON) {
          const after = t.charCodeAt(q + 1);
          if (after === SP || after === NL || q + 1 >= t.length) break;
          throw BAIL;
        }
        if (!isKeyChar(k)) throw BAIL;
        q++;
      }
      let keyEnd = q;
      while (t.charCodeAt(keyEnd - 1) === SP) keyEnd--;
      if (keyEnd - p > 1000) throw BAIL;
      const keySpan = this.span(p, keyEnd);
      const key = String(resolvePlain(t.slice(p, keyEnd)));
      const v = this.skipSpaces(q + 1);
      const vc = t.charCodeAt(v);
      let value: YValue;
      if (v >= t.length || vc === NL) {
        const after = v >= t.length ? -1 : this.nextContent(v + 1);
        if (after !== -1 && this.indentOf(after) > indent) {
          const inner = this.block(after, this.indentOf(after), depth + 1);
          value = inner.node;
          end = inner.end;
          next = inner.next;
        } else {
          value = { kind: 'scalar', value: null, span: this.span(v, v), quoted: false };
          end = v;
          next = after;
        }
      } else if (vc === HASH) {
        throw BAIL;
      } else {
        const r = this.inline(v, false, depth + 1);
        value = r.node;
        ({ end, next } = this.afterLine(r.end, indent));
      }
      const entry: YEntry = { key, keySpan, value };
      if (keys.has(entries, key)) this.duplicate(key, keySpan);
      entries.push(entry);
    }
    const node: YMap = { kind: 'map', entries, span: this.span(start, end) };
    return { node, end, next };
  }

  private blockSeq(ls: number, indent: number, depth: number): Block {
    const t = this.text;
    const items: YValue[] = [];
    const start = ls + indent;
    let end = start;
    let next = ls;
    while (next !== -1) {
      const p = this.lineContent(next, indent);
      if (p === -1) break;
      if (t.charCodeAt(p) !== DASH || t.charCodeAt(p + 1) !== SP) throw BAIL;
      const v = this.skipSpaces(p + 1);
      const vc = t.charCodeAt(v);
      if (v >= t.length || vc === NL || vc === HASH) throw BAIL;
      const r = this.inline(v, false, depth + 1);
      items.push(r.node);
      ({ end, next } = this.afterLine(r.end, indent));
    }
    const node: YSeq = { kind: 'seq', items, span: this.span(start, end) };
    return { node, end, next };
  }

  /** Where the content of the block line at `ls` starts; -1 when the line is indented less (the block ends there). */
  private lineContent(ls: number, indent: number): number {
    const lineIndent = this.indentOf(ls);
    if (lineIndent < indent) return -1;
    if (lineIndent > indent) throw BAIL;
    return ls + indent;
  }

  /** After a one-line value of a block at `indent`: its line's end and the next content line, which may not be nested under it. */
  private afterLine(i: number, indent: number): { end: number; next: number } {
    const end = this.lineRest(i);
    const next = end >= this.text.length ? -1 : this.nextContent(end);
    if (next !== -1 && this.indentOf(next) > indent) throw BAIL;
    return { end, next };
  }

  /** After a value on a block line: spaces, an optional comment, the line break. Returns the next line's start. */
  private lineRest(i: number): number {
    const t = this.text;
    const j = this.skipSpaces(i);
    if (j >= t.length) return t.length;
    const c = t.charCodeAt(j);
    if (c === NL) return j + 1;
    if (c === HASH && j > i) {
      const e = t.indexOf('\n', j);
      return e === -1 ? t.length : e + 1;
    }
    throw BAIL;
  }

  private duplicate(key: string, span: Span): void {
    this.problems.push(duplicateKeyProblem(key, span));
  }

  /** A one-line node at `p`: a flow collection or a scalar. `end` is just after its text. */
  private inline(p: number, flow: boolean, depth: number): { node: YValue; end: number } {
    if (depth > MAX_FAST_DEPTH) throw BAIL;
    const c = this.text.charCodeAt(p);
    if (c === LBRACK || c === LBRACE) return this.flowCollection(p, depth);
    if (c === DQ || c === SQ) return this.quoted(p);
    return this.plain(p, flow);
  }

  private quoted(p: number): { node: YScalar; end: number } {
    const t = this.text;
    const q = t.charCodeAt(p);
    let i = p + 1;
    let doubled = false;
    for (;;) {
      if (i >= t.length) throw BAIL;
      const c = t.charCodeAt(i);
      if (c === NL) throw BAIL;
      if (c === q) {
        if (q === SQ && t.charCodeAt(i + 1) === SQ) {
          doubled = true;
          i += 2;
          continue;
        }
        break;
      }
      i++;
    }
    let value = t.slice(p + 1, i);
    if (doubled) value = value.replace(/''/g, "'");
    return { node: { kind: 'scalar', value, span: this.span(p, i + 1), quoted: true }, end: i + 1 };
  }

  private plain(p: number, flow: boolean): { node: YScalar; end: number } {
    const t = this.text;
    const first = t.charCodeAt(p);
    if (!isPlainStart(first)) throw BAIL;
    if (first === DASH) {
      const n = t.charCodeAt(p + 1);
      if (p + 1 >= t.length || n === SP || n === NL || (flow && isFlowIndicator(n))) throw BAIL;
    }
    let i = p;
    let last = p; // just after the last non-space character
    for (; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === NL) break;
      if (c === SP) continue;
      if (c === HASH && t.charCodeAt(i - 1) === SP) {
        if (flow) throw BAIL;
        break;
      }
      if (c === COLON) {
        if (flow) throw BAIL;
        const n = t.charCodeAt(i + 1);
        if (i + 1 >= t.length || n === SP || n === NL) throw BAIL;
      }
      if (flow) {
        if (c === COMMA || c === RBRACK || c === RBRACE) break;
        if (c === LBRACK || c === LBRACE) throw BAIL;
      }
      last = i + 1;
    }
    if (last === p) throw BAIL;
    const value = resolvePlain(t.slice(p, last));
    return { node: { kind: 'scalar', value, span: this.span(p, last), quoted: false }, end: last };
  }

  /** A flow key: a plain or quoted scalar directly followed by ': '. Returns the position after ': '. */
  private flowKey(p: number): { key: string; keySpan: Span; after: number } {
    const t = this.text;
    const c = t.charCodeAt(p);
    let keyNode: YScalar;
    let end: number;
    if (c === DQ || c === SQ) {
      const r = this.quoted(p);
      keyNode = r.node;
      end = r.end;
    } else {
      if (!isKeyStart(c)) throw BAIL;
      let q = p;
      while (isKeyChar(t.charCodeAt(q))) q++;
      if (t.charCodeAt(q) !== COLON) throw BAIL;
      end = q;
      while (t.charCodeAt(end - 1) === SP) end--;
      keyNode = { kind: 'scalar', value: resolvePlain(t.slice(p, end)), span: this.span(p, end), quoted: false };
    }
    if (t.charCodeAt(end) !== COLON || t.charCodeAt(end + 1) !== SP) throw BAIL;
    return { key: String(keyNode.value), keySpan: keyNode.span, after: end + 2 };
  }

  private flowCollection(p: number, depth: number): { node: YValue; end: number } {
    const t = this.text;
    const isMap = t.charCodeAt(p) === LBRACE;
    const close = isMap ? RBRACE : RBRACK;
    let i = this.skipSpaces(p + 1);
    const entries: YEntry[] = [];
    const items: YValue[] = [];
    const keys = new KeySet();
    if (t.charCodeAt(i) !== close) {
      for (;;) {
        let value: YValue;
        if (isMap) {
          const k = this.flowKey(i);
          const v = this.skipSpaces(k.after);
          const vc = t.charCodeAt(v);
          if (v >= t.length || vc === NL || vc === COMMA || vc === RBRACE || vc === RBRACK || vc === HASH) throw BAIL;
          const r = this.inline(v, true, depth + 1);
          value = r.node;
          i = r.end;
          if (keys.has(entries, k.key)) this.duplicate(k.key, k.keySpan);
          entries.push({ key: k.key, keySpan: k.keySpan, value });
        } else {
          const vc = t.charCodeAt(i);
          if (i >= t.length || vc === NL || vc === COMMA || vc === RBRACE || vc === RBRACK || vc === HASH) throw BAIL;
          const r = this.inline(i, true, depth + 1);
          items.push(r.node);
          i = r.end;
        }
        i = this.skipSpaces(i);
        const c = t.charCodeAt(i);
        if (c === close) break;
        if (c !== COMMA) throw BAIL;
        i = this.skipSpaces(i + 1);
        const n = t.charCodeAt(i);
        // Trailing commas and empty items: the library's business.
        if (i >= t.length || n === close || n === COMMA || n === NL) throw BAIL;
      }
    }
    const end = i + 1;
    const span = this.span(p, end);
    const node: YValue = isMap ? { kind: 'map', entries, span } : { kind: 'seq', items, span };
    return { node, end };
  }
}

/**
 * The keys of one mapping, for duplicates: a scan of its entries while it is small (mappings in
 * a pipeline hold a handful of keys, and a Set for each was a tenth of what parsing allocated),
 * a Set once it is not.
 */
class KeySet {
  private set: Set<string> | undefined;

  /** Whether `key` is among `entries` (the keys seen so far, all passed through here). */
  has(entries: readonly YEntry[], key: string): boolean {
    if (this.set === undefined && entries.length < 16) {
      for (let i = 0; i < entries.length; i++) if (entries[i]!.key === key) return true;
      return false;
    }
    if (this.set === undefined) this.set = new Set(entries.map((e) => e.key));
    const seen = this.set.has(key);
    this.set.add(key);
    return seen;
  }
}

function isFlowIndicator(c: number): boolean {
  return c === COMMA || c === LBRACK || c === RBRACK || c === LBRACE || c === RBRACE;
}

/** Characters of the plain keys handled here: letters, digits and `_ - . / $ ~ +` and spaces inside. */
function isKeyChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f /* _ */ || c === DASH || c === 0x2e /* . */ || c === 0x2f /* / */ || c === 0x24 /* $ */ || c === 0x2b /* + */ || c === SP
  );
}

function isKeyStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2e || c === 0x2f || c === 0x24;
}

/** Plain scalars may not start with an indicator (other than `-` before a non-space, checked by the caller). */
function isPlainStart(c: number): boolean {
  switch (c) {
    case 0x3f: // ?
    case COLON:
    case COMMA:
    case LBRACK:
    case RBRACK:
    case LBRACE:
    case RBRACE:
    case HASH:
    case 0x26: // &
    case 0x2a: // *
    case 0x21: // !
    case 0x7c: // |
    case 0x3e: // >
    case 0x25: // %
    case 0x40: // @
    case 0x60: // `
    case DQ:
    case SQ:
    case SP:
    case NL:
      return false;
    default:
      return !Number.isNaN(c);
  }
}

// The YAML 1.2 core schema exactly as the `yaml` library resolves plain scalars (yaml/dist/schema/core).
const NULL_RE = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL_RE = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT_RE = /^0o[0-7]+$/;
const INT_RE = /^[-+]?[0-9]+$/;
const INT_HEX_RE = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN_RE = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** The value of a plain scalar under the core schema. */
function resolvePlain(s: string): string | number | boolean | null {
  const c = s.charCodeAt(0);
  // Most scalars are words: nothing but null/bool can match unless the text starts like a number.
  const numeric = (c >= 0x30 && c <= 0x39) || c === DASH || c === 0x2b || c === 0x2e;
  if (!numeric) {
    if (s.length <= 5 && NULL_RE.test(s)) return null;
    if (s.length <= 5 && BOOL_RE.test(s)) return s[0] === 't' || s[0] === 'T';
    return s;
  }
  if (INT_OCT_RE.test(s)) return parseInt(s.substring(2), 8);
  if (INT_RE.test(s)) return parseInt(s, 10);
  if (INT_HEX_RE.test(s)) return parseInt(s.substring(2), 16);
  if (FLOAT_NAN_RE.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (FLOAT_EXP_RE.test(s)) return parseFloat(s);
  if (FLOAT_RE.test(s)) return parseFloat(s);
  return s;
}
