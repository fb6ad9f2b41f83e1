import { spanContains, type Span } from '../text/range';
import type { YEntry, YMap, YScalar, YValue } from '../yaml/tree';

/** What lies at an offset of a YAML tree: the chain of keys/indices from the root and the innermost node. */
export interface NodeHit {
  /** Keys (mapping entries) and indices (list items) from the root to the hit. */
  path: (string | number)[];
  /** True when the offset is on a mapping key; `entry` is then that key's entry. */
  onKey: boolean;
  /** The entry whose key or value holds the offset (innermost mapping level). */
  entry?: YEntry;
  /** The mapping that holds `entry`. */
  map?: YMap;
  /** The innermost value containing the offset (the key's value when onKey). */
  node: YValue | null;
}

/** Finds the innermost key or value at `offset` (a cursor at the end of a word still counts). */
export function nodeAt(root: YValue | null, offset: number): NodeHit | undefined {
  if (!root || !spanContains(root.span, offset)) return undefined;
  const hit: NodeHit = { path: [], onKey: false, node: root };
  let cur: YValue = root;
  for (;;) {
    if (cur.kind === 'map') {
      const e = entryAt(cur, offset);
      if (!e) return hit;
      hit.path.push(e.key);
      hit.entry = e;
      hit.map = cur;
      if (spanContains(e.keySpan, offset)) {
        hit.onKey = true;
        hit.node = e.value;
        return hit;
      }
      if (!e.value) {
        hit.node = null;
        return hit;
      }
      cur = e.value;
      hit.node = cur;
    } else if (cur.kind === 'seq') {
      const i = cur.items.findIndex((item) => spanContains(item.span, offset));
      if (i === -1) return hit;
      hit.path.push(i);
      cur = cur.items[i]!;
      hit.node = cur;
    } else {
      return hit;
    }
  }
}

/** The entry whose key or value contains the offset; later entries win at shared boundaries. */
function entryAt(map: YMap, offset: number): YEntry | undefined {
  // Entries are in file order: binary search for the last key starting at or before the offset.
  const list = map.entries;
  let lo = 0;
  let hi = list.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.keySpan[0] <= offset) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  // Entries of merged pieces are sorted too, but check neighbours in case of aliases or odd layouts.
  for (let i = best; i >= 0 && i >= best - 1; i--) {
    const e = list[i]!;
    const end = e.value ? Math.max(e.value.span[1], e.keySpan[1]) : e.keySpan[1];
    if (offset >= e.keySpan[0] && offset <= end) return e;
  }
  return undefined;
}

/** The span of a scalar's text without the quotes of a single- or double-quoted scalar. */
export function innerSpan(text: string, s: YScalar): Span {
  const [a, b] = s.span;
  const q = text[a];
  if (s.quoted && (q === '"' || q === "'") && b - a >= 2 && text[b - 1] === q) return [a + 1, b - 1];
  return s.span;
}

/** Calls `visit` for every scalar of the tree (aliased subtrees once per occurrence in the file). */
export function eachScalar(root: YValue | null, visit: (s: YScalar) => void): void {
  if (!root) return;
  const stack: YValue[] = [root];
  const seen = new Set<YValue>();
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    if (v.kind === 'scalar') visit(v);
    else if (v.kind === 'seq') for (let i = v.items.length - 1; i >= 0; i--) stack.push(v.items[i]!);
    else
      for (let i = v.entries.length - 1; i >= 0; i--) {
        const e = v.entries[i]!;
        if (e.value) stack.push(e.value);
      }
  }
}
