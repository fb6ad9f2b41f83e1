import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileHost } from '../../../core/src/index';
import { fileText, READ_LIMITS, readTextBounded, type Unread } from '../../../core/src/node/read';
import { err, ok, type Result } from '../../../core/src/result';

/** The folder a workspace starts at: the nearest enclosing git repository, else `from`. */
export function workspaceRoot(from: string): string {
  for (let d = path.resolve(from); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return path.resolve(from);
  }
}

/**
 * Reads a pipeline or catalog as text, within the document size limit and only when it is a
 * regular file (inside `within`, when given). Invalid UTF-8 becomes U+FFFD, which the
 * validator reports with its position.
 */
export function readDocument(file: string, within?: readonly string[]): Result<string, Unread> {
  const r = readTextBounded(file, { limit: READ_LIMITS.document, ...(within ? { within } : {}) });
  return r.ok ? ok(r.text) : err(r.why);
}

/**
 * The file system as core's rules see it: absolute POSIX paths, no throwing. Files the
 * rules read must resolve inside `within` (the workspace root): validation does not follow
 * links out of the workspace.
 */
export function fileHost(within: readonly string[]): FileHost {
  return {
    exists: (p) => fs.existsSync(p),
    readText: (p) => fileText(p, { limit: READ_LIMITS.source, within }),
  };
}

/** A native path with POSIX separators, as core expects. */
export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** An absolute path with symlinks resolved when it exists (the spelling runs are recorded under). */
export function realFile(base: string, file: string): string {
  const abs = path.resolve(base, file);
  try {
    return fs.realpathSync(abs);
  } catch {
    return abs;
  }
}

/**
 * `mkdir -p` that cannot spin: Node's recursive mkdir retries forever where a folder can be
 * neither found nor made (`/proc/x`). Finds the nearest existing ancestor, then makes each
 * missing folder once; throws the first error (with `code` and `path`), ENOTDIR when an
 * ancestor is a file.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); ;) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (st) {
      if (!st.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${d}'`), { code: 'ENOTDIR', path: d });
      break;
    }
    missing.push(d);
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d);
    } catch (e) {
      // Made meanwhile by another process: fine.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.statSync(d).isDirectory()) throw e;
    }
  }
}
