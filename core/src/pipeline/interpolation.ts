import type { Span } from '../text/range';

/** One `${{ expr }}` occurrence: the expression text and where it stands in the file. */
export interface Reference {
  expr: string;
  /** Dotted parts of the expression, e.g. ['tasks', 'ingest', 'outputs', 'raw']. */
  parts: string[];
  /** The span of the expression itself (inside the braces). */
  span: Span;
  /** The span of the whole `${{ … }}`. */
  outer: Span;
}

/** One `${{ expr }}`; the expression holds no `}`. */
export const REFERENCE_PATTERN = /\$\{\{([^}]*)\}\}/g;
const PATTERN = REFERENCE_PATTERN;
/** The same pattern for findReferences' own exec loop (the exported one is shared). */
const FIND = new RegExp(REFERENCE_PATTERN.source, 'g');

/**
 * Finds the references in a scalar by scanning its source text, so that spans are exact
 * even for folded or quoted scalars.
 */
export function findReferences(fileText: string, span: Span): Reference[] {
  if (!hasReference(fileText, span)) return [];
  const source = fileText.slice(span[0], span[1]);
  const out: Reference[] = [];
  // An exec loop, not matchAll, which copies the regular expression on each call.
  FIND.lastIndex = 0;
  for (let m = FIND.exec(source); m !== null; m = FIND.exec(source)) {
    const inner = m[1]!;
    const lead = inner.length - inner.trimStart().length;
    const expr = inner.trim();
    const start = span[0] + m.index + 3 + lead;
    out.push({
      expr,
      parts: expr.split('.').map((s) => s.trim()),
      span: [start, start + expr.length],
      outer: [span[0] + m.index, span[0] + m.index + m[0].length],
    });
  }
  return out;
}

/** Whether `${{` occurs inside the span (without copying the text out: most values have none). */
export function hasReference(fileText: string, span: Span): boolean {
  const end = Math.min(span[1], fileText.length) - 2;
  for (let i = span[0]; i < end; i++) {
    if (fileText.charCodeAt(i) === 0x24 /* $ */ && fileText.charCodeAt(i + 1) === 0x7b && fileText.charCodeAt(i + 2) === 0x7b) return true;
  }
  return false;
}

/** Replaces every `${{ expr }}` in a value using `resolve`; unknown expressions stay as written. */
export function interpolate(value: string, resolve: (parts: string[]) => string | undefined): string {
  if (!value.includes('${{')) return value;
  return value.replace(PATTERN, (whole, inner: string) => {
    const r = resolve(
      inner
        .trim()
        .split('.')
        .map((s) => s.trim()),
    );
    return r === undefined ? whole : r;
  });
}

/** The task ids a value refers to through `tasks.ID…`. */
export function referencedTasks(refs: Reference[]): string[] {
  return refs.filter((r) => r.parts[0] === 'tasks' && r.parts.length >= 2).map((r) => r.parts[1]!);
}
