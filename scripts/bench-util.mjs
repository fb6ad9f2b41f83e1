// Helpers the bench:* scripts share.
import { readFileSync } from 'node:fs';

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * CPU time (user + system) of this process's reaped children and their reaped descendants,
 * in ms: cutime + cstime of /proc/self/stat, in ticks of 10 ms. Linux only, else 0. The
 * difference around a spawnSync is that command's whole process tree.
 */
export function childrenCpuMs() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the ")" that ends the command name: cutime and cstime are the 14th and 15th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[13]) + Number(f[14])) * 1000) / 100;
  } catch {
    return 0;
  }
}
