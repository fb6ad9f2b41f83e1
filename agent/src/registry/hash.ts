import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';

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

/** sha256 of a file, read as a stream so a multi-gigabyte model never sits in memory. */
export async function hashFile(file: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(fs.createReadStream(file), h);
  return h.digest('hex');
}

/** Every regular file below a folder, relative and sorted; symbolic links are not followed. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else if (e.isFile()) out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}

/** Hashes a file or a folder; a path that does not exist is `missing`, not an error. */
export async function digestPath(p: string): Promise<PathDigest> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(p);
  } catch {
    return { kind: 'missing', size: 0, sha256: null, files: [] };
  }
  if (!st.isDirectory()) return { kind: 'file', size: st.size, sha256: await hashFile(p), files: [] };
  const files: PathDigest['files'] = [];
  for (const rel of listFiles(p)) {
    const abs = path.join(p, rel);
    files.push({ path: rel, size: (await fs.promises.stat(abs)).size, sha256: await hashFile(abs) });
  }
  const listing = createHash('sha256');
  for (const f of files) listing.update(`${f.path}\0${f.sha256}\n`);
  return { kind: 'directory', size: files.reduce((n, f) => n + f.size, 0), sha256: listing.digest('hex'), files };
}

/** sha256 of a file, or null when it cannot be read. */
export async function hashIfExists(file: string): Promise<string | null> {
  try {
    return await hashFile(file);
  } catch {
    return null;
  }
}
