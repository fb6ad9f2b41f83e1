/** Rows of the distance table, reused between calls (grown when a longer name comes). */
let rows = [new Int32Array(32), new Int32Array(32), new Int32Array(32)];

/**
 * Edit distance counting insertions, deletions, substitutions and swaps of two adjacent
 * characters (optimal string alignment), so `trian` is one edit from `train`, as a typist
 * would count it. Exits early once `max` is exceeded. Allocates nothing: suggestions compare
 * a name with every id of a file, thousands of times on a big one.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const width = b.length + 1;
  if (rows[0]!.length < width) rows = [new Int32Array(width * 2), new Int32Array(width * 2), new Int32Array(width * 2)];
  let prev2 = rows[0]!;
  let prev = rows[1]!;
  let cur = rows[2]!;
  for (let j = 0; j < width; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let best = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const bj = b.charCodeAt(j - 1);
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ai === bj ? 0 : 1));
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    const spare = prev2;
    prev2 = prev;
    prev = cur;
    cur = spare;
  }
  return prev[b.length]!;
}

/**
 * The candidate closest to `name`, if it is close enough to be a plausible typo
 * (at most a third of the name's length, minimum 1 edit); ties go to the first candidate.
 * `skip` is left out of the candidates (say, the task that asks).
 */
export function closest(name: string, candidates: Iterable<string>, skip?: string): string | undefined {
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestD = limit + 1;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    if (c === name || c === skip) continue;
    // Lower-casing never changes an ASCII name's length: one that differs by bestD or more cannot win.
    if (Math.abs(c.length - name.length) >= bestD && ASCII.test(c) && ASCII.test(name)) continue;
    const lc = c.toLowerCase();
    const d = lc === lower ? 0 : editDistance(lower, lc, bestD);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

// eslint-disable-next-line no-control-regex -- every ASCII character, control characters included
const ASCII = /^[\x00-\x7f]*$/;

/** " Did you mean 'x'?" or an empty string. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const c = closest(name, candidates);
  return c === undefined ? '' : ` Did you mean '${c}'?`;
}
