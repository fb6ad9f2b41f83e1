/** Text edits on pipeline files that keep the author's layout: block or flow, indentation. */
import type { Span } from '../text/range';
import type { YEntry, YMap, YSeq, YValue } from '../yaml/tree';

/** Replace `span` of the document with `newText` (an insertion when the span is empty). */
export interface SpanEdit {
  span: Span;
  newText: string;
}

export function isFlow(text: string, node: YValue): boolean {
  const c = text[node.span[0]];
  return c === '{' || c === '[';
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEndOf(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i === -1 ? text.length : i;
}

function columnOf(text: string, offset: number): number {
  return offset - lineStartOf(text, offset);
}

/** End of the last line an entry occupies (before its newline). */
function entryLineEnd(text: string, e: YEntry): number {
  let end = e.value ? e.value.span[1] : e.keySpan[1];
  // Block collections and scalars may end at the start of the next line; step back onto their last line.
  while (end > e.keySpan[1] && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
  return lineEndOf(text, end);
}

/** The indentation of a block mapping's keys, as spaces. */
function keyIndent(text: string, map: YMap): string {
  const first = map.entries[0];
  return ' '.repeat(first ? columnOf(text, first.keySpan[0]) : 2);
}

/** Adds `key: value` to a mapping, after `after` (default: its last entry), in the mapping's style. */
export function insertEntry(text: string, map: YMap, key: string, value: string, after?: YEntry): SpanEdit {
  const anchor = after ?? map.entries[map.entries.length - 1];
  if (isFlow(text, map)) {
    if (!anchor) return { span: [map.span[0] + 1, map.span[0] + 1], newText: `${key}: ${value}` };
    const end = anchor.value ? anchor.value.span[1] : anchor.keySpan[1];
    return { span: [end, end], newText: `, ${key}: ${value}` };
  }
  const sep = value.startsWith('\n') ? ':' : ': ';
  if (!anchor) return { span: [map.span[0], map.span[0]], newText: `${key}${sep}${value}\n` };
  const at = entryLineEnd(text, anchor);
  return { span: [at, at], newText: `\n${keyIndent(text, map)}${key}${sep}${value}` };
}

/** Sets a key of a mapping to `value`: replaces an existing value or adds the entry. */
export function setEntry(text: string, map: YMap, key: string, value: string, after?: YEntry): SpanEdit {
  const existing = map.entries.find((e) => e.key === key);
  if (existing?.value) return { span: existing.value.span, newText: value };
  if (existing) return { span: [existing.keySpan[1], lineEndOf(text, existing.keySpan[1])], newText: `: ${value}` };
  return insertEntry(text, map, key, value, after);
}

/** Appends an item to a list in its style. */
export function appendItem(text: string, seq: YSeq, item: string): SpanEdit {
  if (isFlow(text, seq)) {
    const close = seq.span[1] - 1;
    const last = seq.items[seq.items.length - 1];
    if (!last) return { span: [close, close], newText: item };
    return { span: [last.span[1], last.span[1]], newText: `, ${item}` };
  }
  const last = seq.items[seq.items.length - 1]!;
  const dash = text.lastIndexOf('-', last.span[0]);
  const at = lineEndOf(text, last.span[1]);
  return { span: [at, at], newText: `\n${' '.repeat(columnOf(text, dash))}- ${item}` };
}

/**
 * Removes item `index` from a list, with its separator. Returns undefined when it is the only
 * item of a block list (the caller removes the whole entry then).
 */
export function removeItem(text: string, seq: YSeq, index: number): SpanEdit | undefined {
  const item = seq.items[index]!;
  if (isFlow(text, seq)) {
    const next = seq.items[index + 1];
    const prev = seq.items[index - 1];
    if (next) return { span: [item.span[0], next.span[0]], newText: '' };
    if (prev) return { span: [prev.span[1], item.span[1]], newText: '' };
    return { span: item.span, newText: '' };
  }
  if (seq.items.length === 1) return undefined;
  const start = lineStartOf(text, item.span[0]);
  const end = lineEndOf(text, item.span[1]);
  return { span: [start, Math.min(text.length, end + 1)], newText: '' };
}

/** Removes a whole `key: value` entry from a block or flow mapping. */
export function removeEntry(text: string, map: YMap, entry: YEntry): SpanEdit {
  const i = map.entries.indexOf(entry);
  if (isFlow(text, map)) {
    const next = map.entries[i + 1];
    const prev = map.entries[i - 1];
    const end = entry.value ? entry.value.span[1] : entry.keySpan[1];
    if (next) return { span: [entry.keySpan[0], next.keySpan[0]], newText: '' };
    if (prev) return { span: [prev.value ? prev.value.span[1] : prev.keySpan[1], end], newText: '' };
    return { span: [entry.keySpan[0], end], newText: '' };
  }
  const start = lineStartOf(text, entry.keySpan[0]);
  const end = entryLineEnd(text, entry);
  return { span: [start, Math.min(text.length, end + 1)], newText: '' };
}
