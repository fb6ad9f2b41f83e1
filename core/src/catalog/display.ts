/** How sizes and digests of recorded artifacts read, in the terminal and in the editor's views. */

/** A digest shortened to 12 characters, or `missing`. */
export const shortDigest = (sha: string | null | undefined): string => (sha ? sha.slice(0, 12) : 'missing');

/** Bytes for people: 532 B, 12.4 kB, 3.1 MB. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
