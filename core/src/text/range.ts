/** A zero-based position: line and UTF-16 column, as in LSP. */
export interface Position {
  line: number;
  character: number;
}

/** A zero-based, end-exclusive range, as in LSP. */
export interface Range {
  start: Position;
  end: Position;
}

/** Half-open character offsets `[start, end)` into a document's text. */
export type Span = readonly [start: number, end: number];

/**
 * Converts between offsets and positions for one text; built once per document. Lines end
 * at `\n`, `\r\n` or a lone `\r`, as LSP counts them; a position never points into a line break.
 */
export class LineIndex {
  private readonly starts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    // A loop rather than matchAll: a match object per line was most of what this cost.
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0a) starts.push(i + 1);
      else if (c === 0x0d) {
        if (text.charCodeAt(i + 1) === 0x0a) i++;
        starts.push(i + 1);
      }
    }
    this.starts = starts;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= clamped) lo = mid;
      else hi = mid - 1;
    }
    const start = this.starts[lo]!;
    return { line: lo, character: Math.min(clamped, this.contentEnd(lo)) - start };
  }

  offset(pos: Position): number {
    if (pos.line < 0) return 0;
    if (pos.line >= this.starts.length) return this.text.length;
    const lineStart = this.starts[pos.line]!;
    return Math.min(lineStart + Math.max(0, pos.character), this.contentEnd(pos.line));
  }

  range(span: Span): Range {
    return { start: this.position(span[0]), end: this.position(span[1]) };
  }

  /** The offset where a line's text ends, before its line break. */
  private contentEnd(line: number): number {
    if (line + 1 >= this.starts.length) return this.text.length;
    const next = this.starts[line + 1]!;
    return this.text.charCodeAt(next - 1) === 0x0a && this.text.charCodeAt(next - 2) === 0x0d ? next - 2 : next - 1;
  }
}

/** True when `pos` lies within `range` (end inclusive, so a cursor at the end still counts). */
export function rangeContains(range: Range, pos: Position): boolean {
  if (pos.line < range.start.line || pos.line > range.end.line) return false;
  if (pos.line === range.start.line && pos.character < range.start.character) return false;
  if (pos.line === range.end.line && pos.character > range.end.character) return false;
  return true;
}

export function spanContains(span: Span, offset: number): boolean {
  return offset >= span[0] && offset <= span[1];
}
