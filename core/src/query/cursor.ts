/**
 * Where the cursor is in a YAML document that is being typed, read from the text alone
 * (half-written YAML often does not parse): the keys above it, whether a key or a value
 * is being written, and the partial word.
 */
import type { Span } from '../text/range';

/** A list item in a path: `needs: [a, |]` has the path `[…, 'needs']` and `inList`. */
export const ITEM = '-';

export interface CursorContext {
  /**
   * Keys from the root down. At a key: the mapping the key goes into. At a value: ends
   * with the key whose value is being written. `ITEM` stands for "an item of a list".
   */
  path: string[];
  at: 'key' | 'value';
  /** The value is an item of a list (`- x` or `[a, x]`). */
  inList: boolean;
  /** The partial word around the cursor, which a completion replaces. */
  word: Span;
  /** Inside `${{ … }}`: the expression from its start up to the cursor. */
  expression?: { text: string; start: number };
  /** At a key of a block mapping: the other keys written at the same indentation in that mapping. */
  siblings?: string[];
}

/** The cursor context at `offset`, or undefined inside a comment. */
export function cursorContext(text: string, offset: number): CursorContext | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const expression = expressionAt(text, lineStart, offset);
  const entryStart = entryStartLine(text, lineStart);
  const first = lineInfo(text, entryStart);
  const parents = blockParents(text, entryStart, first.dashCol ?? first.col, first.dashes.length > 0);
  const flow = scanFlow(text, first.contentStart, offset);
  if (!flow) return undefined;
  const path = [...parents, ...first.dashes.map(() => ITEM), ...flow.path];
  const wordEnd = extendWord(text, offset);
  const ctx: CursorContext = { path, at: flow.at, inList: flow.inList || (flow.path.length === 0 && first.dashes.length > 0 && flow.at === 'key'), word: [flow.wordStart, wordEnd] };
  // `- foo` without a colon is a list item value, not a key.
  if (ctx.inList && flow.at === 'key' && flow.path.length === 0) {
    ctx.at = 'value';
    ctx.path = [...parents];
  }
  if (expression) ctx.expression = expression;
  if (ctx.at === 'key' && flow.path.length === 0 && entryStart === lineStart) ctx.siblings = blockSiblings(text, lineStart, first.contentStart - lineStart);
  return ctx;
}

/** Keys at column `col` in the block mapping around a line, read from the text (it may not parse). */
function blockSiblings(text: string, lineStart: number, col: number): string[] {
  const out: string[] = [];
  const visit = (s: number): boolean => {
    const info = lineInfo(text, s);
    if (info.blank) return true;
    const keyCol = info.contentStart - s;
    if (info.col < col || (info.dashes.length > 0 && (info.dashCol ?? 0) < col)) return false;
    if (keyCol === col && info.key !== undefined && info.dashes.length === 0) out.push(info.key);
    return true;
  };
  for (let s = prevLineStart(text, lineStart); s >= 0 && visit(s); s = prevLineStart(text, s));
  for (let s = lineEndOf(text, lineStart) + 1; s < text.length && visit(s); s = lineEndOf(text, s) + 1);
  return out;
}

/** The `${{ …` the cursor is in, when its `}}` has not been reached yet on this line. */
function expressionAt(text: string, lineStart: number, offset: number): CursorContext['expression'] {
  const open = text.lastIndexOf('${{', offset - 1);
  if (open === -1 || open < lineStart || open + 3 > offset) return undefined;
  const close = text.indexOf('}}', open + 3);
  if (close !== -1 && close < offset) return undefined;
  let start = open + 3;
  while (start < offset && text[start] === ' ') start++;
  return { text: text.slice(start, offset), start };
}

function extendWord(text: string, offset: number): number {
  let end = offset;
  while (end < text.length && /[\w.-]/.test(text[end]!)) end++;
  return end;
}

interface LineInfo {
  /** Column of the first non-space character. */
  col: number;
  /** Columns of leading `- ` markers. */
  dashes: number[];
  dashCol?: number;
  /** Offset of the content after indentation and dashes. */
  contentStart: number;
  /** The key written on the line (`key:`), if any. */
  key?: string;
  blank: boolean;
}

function lineInfo(text: string, start: number): LineInfo {
  const end = lineEndOf(text, start);
  let i = start;
  while (i < end && text[i] === ' ') i++;
  const col = i - start;
  const dashes: number[] = [];
  while (i < end && text[i] === '-' && (i + 1 === end || text[i + 1] === ' ')) {
    dashes.push(i - start);
    i++;
    while (i < end && text[i] === ' ') i++;
  }
  const blank = i >= end || text[i] === '#' || text[i] === '\r';
  const info: LineInfo = { col, dashes, contentStart: i, blank: blank && dashes.length === 0 };
  if (dashes.length > 0) info.dashCol = dashes[0]!;
  const m = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#{}[\],:"'][^#{}[\],:]*?)\s*:(?:\s|$)/.exec(text.slice(i, end));
  if (m) info.key = unquote(m[1]!);
  return info;
}

function unquote(k: string): string {
  if (k.startsWith('"')) return k.slice(1, -1).replace(/\\(.)/g, '$1');
  if (k.startsWith("'")) return k.slice(1, -1).replace(/''/g, "'");
  return k.trim();
}

function lineEndOf(text: string, start: number): number {
  const i = text.indexOf('\n', start);
  return i === -1 ? text.length : i;
}

function prevLineStart(text: string, lineStart: number): number {
  if (lineStart === 0) return -1;
  return text.lastIndexOf('\n', lineStart - 2) + 1;
}

/**
 * The line where the cursor's block entry starts: the current line, or an earlier one when
 * the cursor is inside a flow collection (`[`, `{`) opened on a previous line.
 */
function entryStartLine(text: string, lineStart: number): number {
  const col = lineInfo(text, lineStart).col;
  // The nearest less-indented key above starts any flow collection the cursor may be inside.
  let anchor = -1;
  for (let s = prevLineStart(text, lineStart), n = 0; s >= 0 && n < 200; s = prevLineStart(text, s), n++) {
    const info = lineInfo(text, s);
    if (info.blank) continue;
    if ((info.key !== undefined || info.dashes.length > 0) && info.col < col) {
      anchor = s;
      break;
    }
  }
  if (anchor === -1) return lineStart;
  let depth = 0;
  let opened = -1;
  for (let s = anchor; s < lineStart; s = lineEndOf(text, s) + 1) {
    const before = depth;
    depth = Math.max(0, depth + lineDepth(text, s));
    if (before === 0 && depth > 0) opened = s;
  }
  return depth > 0 ? opened : lineStart;
}

/** Net flow-collection openings on one line, ignoring quoted text and comments. */
function lineDepth(text: string, start: number): number {
  const end = lineEndOf(text, start);
  let d = 0;
  for (let i = start; i < end; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const close = quotedEnd(text, i, end);
      if (close === undefined) break;
      i = close - 1;
    } else if (c === '#' && (i === start || text[i - 1] === ' ')) break;
    else if (c === '[' || c === '{') d++;
    else if (c === ']' || c === '}') d--;
  }
  return d;
}

/**
 * Keys of the block mappings enclosing a line whose content starts at column `col`.
 * `inItem`: the line starts a list item, whose list may sit at its key's own column (`key:\n- a`).
 */
function blockParents(text: string, lineStart: number, col: number, inItem: boolean): string[] {
  const path: string[] = [];
  let want = col;
  let item = inItem;
  for (let s = prevLineStart(text, lineStart); s >= 0 && (want > 0 || item); s = prevLineStart(text, s)) {
    const info = lineInfo(text, s);
    if (info.blank) continue;
    const keyCol = info.contentStart - s;
    const bare = info.key !== undefined && info.dashes.length === 0 && /:\s*(#.*)?$/.test(text.slice(s, lineEndOf(text, s)));
    if (info.key !== undefined && (keyCol < want || (item && bare && keyCol === want))) {
      path.unshift(info.key);
      for (let i = 0; i < info.dashes.length; i++) path.unshift(ITEM);
      want = info.dashCol ?? keyCol;
      item = info.dashes.length > 0;
    } else if (info.dashCol !== undefined && info.dashCol < want) {
      // The first line of the list item whose mapping the cursor is in.
      const inner = info.dashes.filter((d) => d < want).length;
      for (let i = 0; i < inner; i++) path.unshift(ITEM);
      want = info.dashCol;
      item = true;
    } else if (info.col < want) {
      want = info.col;
      item = false;
    } else if (item && info.col === want && info.dashes.length === 0) {
      // A sibling key at the list's column ends the list: no compact parent.
      item = false;
    }
  }
  return path;
}

interface FlowResult {
  path: string[];
  at: 'key' | 'value';
  inList: boolean;
  wordStart: number;
}

interface Frame {
  type: 'map' | 'seq';
  key?: string;
  state: 'key' | 'value';
}

/** Reads a block entry's text from `from` to the cursor, following flow collections. */
function scanFlow(text: string, from: number, offset: number): FlowResult | undefined {
  const stack: Frame[] = [{ type: 'map', state: 'key' }];
  let pending: string | undefined;
  let wordStart = from;
  let i = from;
  const top = () => stack[stack.length - 1]!;
  while (i < offset) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      if (top().state === 'value' || pending === undefined) wordStart = i;
      continue;
    }
    if (c === '#' && (i === from || /\s/.test(text[i - 1]!))) {
      const nl = text.indexOf('\n', i);
      if (nl === -1 || nl >= offset) return undefined;
      i = nl + 1;
      wordStart = i;
      continue;
    }
    if (c === '{' || c === '[') {
      stack.push({ type: c === '{' ? 'map' : 'seq', state: c === '{' ? 'key' : 'value' });
      pending = undefined;
      wordStart = ++i;
      continue;
    }
    if (c === '}' || c === ']') {
      if (stack.length > 1) stack.pop();
      pending = undefined;
      wordStart = ++i;
      continue;
    }
    if (c === ',') {
      const f = top();
      if (f.type === 'map' && stack.length > 1) {
        f.state = 'key';
        delete f.key;
      }
      pending = undefined;
      wordStart = ++i;
      continue;
    }
    if (c === ':' && (i + 1 >= text.length || /[\s,\]}]/.test(text[i + 1]!) || i + 1 === offset)) {
      const f = top();
      if (f.type === 'map' && f.state === 'key') {
        f.key = pending ?? '';
        f.state = 'value';
      }
      pending = undefined;
      wordStart = ++i;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = quotedEnd(text, i, offset);
      if (end === undefined) {
        // An unterminated quote: the cursor is inside it.
        wordStart = i + 1;
        break;
      }
      pending = unquote(text.slice(i, end));
      i = end;
      continue;
    }
    // A plain scalar: up to the next flow indicator (inside flow) or ': '.
    const start = i;
    const inFlow = stack.length > 1;
    while (i < offset) {
      const d = text[i]!;
      if (d === '\n') break;
      if (inFlow && (d === ',' || d === ']' || d === '}' || d === '[' || d === '{')) break;
      if (d === ':' && (i + 1 >= text.length || /[\s,\]}]/.test(text[i + 1]!) || i + 1 === offset)) break;
      if (d === '#' && /\s/.test(text[i - 1] ?? ' ')) break;
      i++;
    }
    pending = text.slice(start, i).trim();
    if (top().state === 'value' || top().type === 'seq') wordStart = wordStart > start ? wordStart : start;
    else wordStart = start;
  }
  const path: string[] = [];
  for (let k = 0; k < stack.length - 1; k++) {
    const f = stack[k]!;
    if (f.type === 'map' && f.key !== undefined) path.push(f.key);
    else if (f.type === 'seq') path.push(ITEM);
  }
  const f = top();
  if (f.type === 'seq') return { path, at: 'value', inList: true, wordStart };
  if (f.state === 'value') return { path: [...path, f.key ?? ''], at: 'value', inList: false, wordStart };
  return { path, at: 'key', inList: false, wordStart };
}

function quotedEnd(text: string, start: number, limit: number): number | undefined {
  const q = text[start];
  for (let i = start + 1; i < limit; i++) {
    if (q === '"' && text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === q) {
      if (q === "'" && text[i + 1] === "'") {
        i++;
        continue;
      }
      return i + 1;
    }
  }
  return undefined;
}
