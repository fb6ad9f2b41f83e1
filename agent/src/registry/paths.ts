import * as fs from 'node:fs';
import * as path from 'node:path';

/** The real path of `p`, resolving symbolic links in its nearest existing ancestor. */
export function realish(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync(abs);
  } catch {
    const parent = path.dirname(abs);
    return parent === abs ? abs : path.join(realish(parent), path.basename(abs));
  }
}

/** `p` relative to the workspace root in POSIX form; absolute (POSIX) when it lies outside. */
export function relativeTo(root: string, p: string): string {
  const rel = path.relative(realish(root), realish(p));
  const inside = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  return (inside ? rel : rel === '' ? '.' : realish(p)).split(path.sep).join('/');
}

/** A path the store recorded, back to an absolute one. */
export function fromRecorded(root: string, recorded: string): string {
  return path.isAbsolute(recorded) ? recorded : path.join(root, ...recorded.split('/'));
}
