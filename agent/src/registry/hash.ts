import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeUnread, hashFileAsync, isInside, kindOf, unreadFromError, type Unread } from '../../../core/src/node/read';

/** A path's content as the store records it. */
export interface PathDigest {
  kind: 'file' | 'directory' | 'missing';
  /** Total bytes (of every file, for a folder). */
  size: number;
  /** sha256 of the file, or of a folder's listing (`relative path \0 sha256 \n` per file, sorted); null when missing. */
  sha256: string | null;
  /** A folder's files, relative to it, with their hashes. */
  files: { path: string; size: number; sha256: string }[];
}

/** A path registration will not take: the message names it and says why, in one clause. */
export class RefusedPath extends Error {
  constructor(shown: string, why: Unread | string) {
    super(`${shown} ${typeof why === 'string' ? why : describeUnread(why)}`);
  }
}

/** sha256 of a regular file, read in pieces so a multi-gigabyte model never sits in memory. Throws RefusedPath. */
export async function hashFile(file: string, within?: readonly string[]): Promise<{ sha256: string; size: number }> {
  const h = await hashFileAsync(file, within);
  if (!h.ok) throw new RefusedPath(file, h.why);
  return h;
}

/** One file found below a folder: its path relative to the folder, and where its bytes are. */
export interface FoundFile {
  rel: string;
  abs: string;
}

/**
 * Every regular file below a folder, relative and sorted. Symbolic links are followed —
 * a folder of links (a Hugging Face snapshot) is its targets — but, with `within`, only
 * while they stay inside those folders. A link that leads nowhere, a loop, a FIFO, a device
 * or a socket is refused with a RefusedPath naming it (as `label/relative path`): a
 * registry records what is there, or says why it cannot.
 */
export function walkFiles(dir: string, within?: readonly string[], label = dir): FoundFile[] {
  const out: FoundFile[] = [];
  const realWithin = within?.map((w) => realOr(w));
  const walk = (d: string, rel: string, ancestors: readonly string[]) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      const shown = `${label}/${r}`;
      if (e.isFile()) out.push({ rel: r, abs });
      else if (e.isDirectory()) walk(abs, r, [...ancestors, realOr(abs)]);
      else if (e.isSymbolicLink()) {
        let real: string;
        let st: fs.Stats;
        try {
          real = fs.realpathSync(abs);
          st = fs.statSync(real);
        } catch (x) {
          const why = unreadFromError(x);
          throw new RefusedPath(shown, why.reason === 'missing' ? 'is a symbolic link to nothing' : why);
        }
        if (realWithin && !realWithin.some((w) => isInside(w, real))) throw new RefusedPath(shown, { reason: 'outside', target: real });
        if (st.isFile()) out.push({ rel: r, abs: real });
        else if (st.isDirectory()) {
          // A link to a folder that holds the walk's own path would be walked forever.
          if (ancestors.some((a) => isInside(real, a))) throw new RefusedPath(shown, { reason: 'loop' });
          walk(real, r, [...ancestors, real]);
        } else throw new RefusedPath(shown, { reason: 'not-a-file', kind: kindOf(st) });
      } else throw new RefusedPath(shown, { reason: 'not-a-file', kind: kindOfDirent(e) });
    }
  };
  walk(dir, '', [realOr(dir)]);
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

function realOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function kindOfDirent(e: fs.Dirent): string {
  if (e.isFIFO()) return 'a FIFO';
  if (e.isCharacterDevice()) return 'a character device';
  if (e.isBlockDevice()) return 'a block device';
  if (e.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** sha256 of a folder's listing: `relative path \0 sha256 \n` per file, in path order. */
export function listingHash(files: readonly { path: string; sha256: string }[]): string {
  const listing = createHash('sha256');
  for (const f of files) listing.update(`${f.path}\0${f.sha256}\n`);
  return listing.digest('hex');
}

/** Hashes a file or a folder; a path that does not exist is `missing`, not an error. Throws RefusedPath for what cannot be hashed. */
export async function digestPath(p: string): Promise<PathDigest> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(p);
  } catch (e) {
    if (unreadFromError(e).reason === 'missing' && !isSymlink(p)) return { kind: 'missing', size: 0, sha256: null, files: [] };
    throw new RefusedPath(p, unreadFromError(e).reason === 'missing' ? 'is a symbolic link to nothing' : unreadFromError(e));
  }
  if (st.isFile()) {
    const h = await hashFile(p);
    return { kind: 'file', size: h.size, sha256: h.sha256, files: [] };
  }
  if (!st.isDirectory()) throw new RefusedPath(p, { reason: 'not-a-file', kind: kindOf(st) });
  const files: PathDigest['files'] = [];
  for (const f of walkFiles(p, undefined, p)) {
    const h = await hashFile(f.abs);
    files.push({ path: f.rel, size: h.size, sha256: h.sha256 });
  }
  return { kind: 'directory', size: files.reduce((n, f) => n + f.size, 0), sha256: listingHash(files), files };
}

/** Whether a path is a symbolic link itself (a dangling one included). */
export function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** sha256 of a regular file (inside `within`, when given), or null when it is missing or refused. */
export async function hashIfExists(file: string, within?: readonly string[]): Promise<string | null> {
  const h = await hashFileAsync(file, within);
  return h.ok ? h.sha256 : null;
}
