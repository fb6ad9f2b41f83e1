/** A line diff for showing what regenerating a file would change before it is overwritten. */

export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

/**
 * Past this many cells (changed lines before × after) the table a shortest diff needs is
 * not built: the changed middle is shown as removed, then added. Config-sized files stay
 * far below it; a huge hand-written file cannot make the diff take gigabytes.
 */
export const MAX_DIFF_CELLS = 4_000_000;

/** The line-by-line edit from `before` to `after` (longest common subsequence, within MAX_DIFF_CELLS). */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before.replace(/\n$/, '').split('\n');
  const b = after.replace(/\n$/, '').split('\n');
  if (before === '') a.length = 0;
  if (after === '') b.length = 0;
  // Equal lines at both ends are kept as they are; only the middle needs the table.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const out: DiffLine[] = a.slice(0, head).map((text) => ({ op: ' ', text }));
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  if (am.length * bm.length > MAX_DIFF_CELLS) {
    for (const text of am) out.push({ op: '-', text });
    for (const text of bm) out.push({ op: '+', text });
  } else out.push(...lcsDiff(am, bm));
  for (const text of a.slice(a.length - tail)) out.push({ op: ' ', text });
  return out;
}

function lcsDiff(a: string[], b: string[]): DiffLine[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: length of the LCS of a[i..] and b[j..].
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ op: ' ', text: a[i]! });
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i]![j + 1]! > lcs[i + 1]![j]!)) out.push({ op: '+', text: b[j++]! });
    else out.push({ op: '-', text: a[i++]! });
  }
  return out;
}

/** A unified diff (`---`/`+++`, `@@` hunks with `context` lines around changes); empty when the texts are equal. */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  const lines = diffLines(before, after);
  if (lines.every((l) => l.op === ' ')) return '';
  const out = [`--- a/${path}`, `+++ b/${path}`];
  let k = 0;
  while (k < lines.length) {
    if (lines[k]!.op === ' ') {
      k++;
      continue;
    }
    const start = Math.max(0, k - context);
    let end = k;
    // Extend the hunk while the next change is within 2×context unchanged lines.
    for (let q = k; q < lines.length; q++) {
      if (lines[q]!.op !== ' ') end = q;
      else if (q - end > 2 * context) break;
    }
    end = Math.min(lines.length - 1, end + context);
    const hunk = lines.slice(start, end + 1);
    const oldStart = lines.slice(0, start).filter((l) => l.op !== '+').length + 1;
    const newStart = lines.slice(0, start).filter((l) => l.op !== '-').length + 1;
    const oldLen = hunk.filter((l) => l.op !== '+').length;
    const newLen = hunk.filter((l) => l.op !== '-').length;
    out.push(`@@ -${oldLen === 0 ? oldStart - 1 : oldStart},${oldLen} +${newLen === 0 ? newStart - 1 : newStart},${newLen} @@`);
    for (const l of hunk) out.push(`${l.op}${l.text}`);
    k = end + 1;
  }
  return `${out.join('\n')}\n`;
}
