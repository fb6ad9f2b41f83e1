/** POSIX path helpers for pipeline paths; core avoids Node's path module so it runs anywhere. */

/** A path with an empty, `.` or `..` segment, a doubled or trailing slash, or nothing at all. */
const NOT_NORMAL = /(^|\/)\.\.?(\/|$)|\/\/|\/$|^$/;

/** Normalises a relative path: folds `.` and `..`, drops `./` and trailing slashes. */
export function normalize(p: string): string {
  // Nearly every path is written normalised already: no need to split and join it.
  if (!NOT_NORMAL.test(p)) return p;
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
    } else out.push(seg);
  }
  const joined = out.join('/');
  return abs ? `/${joined}` : joined || '.';
}

export function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\') || p.startsWith('~');
}

/** Joins and normalises POSIX paths. */
export function join(...parts: string[]): string {
  return normalize(parts.filter((p) => p !== '').join('/'));
}

export function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  if (i === -1) return '.';
  if (i === 0) return '/';
  return p.slice(0, i);
}

/** `child` relative to `parent`, or undefined when it lies outside it. */
export function relativeInside(parent: string, child: string): string | undefined {
  const a = normalize(parent);
  const b = normalize(child);
  if (a === b) return '.';
  const prefix = a.endsWith('/') ? a : `${a}/`;
  return b.startsWith(prefix) ? b.slice(prefix.length) : undefined;
}

/** True when one normalised path equals the other or is a folder containing it. */
export function overlaps(a: string, b: string): boolean {
  return a === b || b.startsWith(`${a}/`) || a.startsWith(`${b}/`);
}
