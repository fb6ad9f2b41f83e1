import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PlannedTask } from './plan';

/** Where content hashes of unchanged files are remembered between runs. */
export interface HashCache {
  fileHash(p: string, size: number, mtimeNs: string): string | undefined;
  saveFileHash(p: string, size: number, mtimeNs: string, hash: string): void;
}

const CHUNK = 1 << 20;

/** Content hashes of input paths; a file is re-read only when its size or mtime changed. */
export class InputHasher {
  private readonly buffer = Buffer.allocUnsafe(CHUNK);

  constructor(private readonly cache: HashCache) {}

  /** `file:<sha256>`, `dir:<sha256 of the listing>` or `missing`. */
  hash(p: string): string {
    let st: fs.BigIntStats;
    try {
      st = fs.statSync(p, { bigint: true });
    } catch {
      return 'missing';
    }
    if (st.isDirectory()) return `dir:${this.dirHash(p)}`;
    return `file:${this.fileHash(p, st)}`;
  }

  private fileHash(p: string, st: fs.BigIntStats): string {
    const size = Number(st.size);
    const mtime = String(st.mtimeNs);
    const known = this.cache.fileHash(p, size, mtime);
    if (known) return known;
    const h = createHash('sha256');
    const fd = fs.openSync(p, 'r');
    try {
      for (let n; (n = fs.readSync(fd, this.buffer, 0, CHUNK, null)) > 0; ) h.update(this.buffer.subarray(0, n));
    } finally {
      fs.closeSync(fd);
    }
    const hash = h.digest('hex');
    this.cache.saveFileHash(p, size, mtime, hash);
    return hash;
  }

  private dirHash(dir: string): string {
    const h = createHash('sha256');
    const walk = (d: string, rel: string) => {
      for (const name of fs.readdirSync(d).sort()) {
        const abs = path.join(d, name);
        const r = rel ? `${rel}/${name}` : name;
        const st = fs.statSync(abs, { bigint: true });
        if (st.isDirectory()) walk(abs, r);
        else h.update(`${r}\0${this.fileHash(abs, st)}\n`);
      }
    };
    walk(dir, '');
    return h.digest('hex');
  }
}

/**
 * A task's fingerprint: everything that decides what it produces — the interpolated
 * command, environment, executor and image, the params it uses, the content of its
 * inputs, its outputs' paths and its upstream tasks' fingerprints. It does not depend on
 * where the working copy is: paths count relative to the workspace root, and the root
 * itself, wherever it appears in the command or environment, counts as `${root}` — so two
 * working copies of one project (other folders, users, machines) agree on it, which is
 * what lets a team store share results between them.
 */
export function fingerprint(task: PlannedTask, upstream: Record<string, string | null>, hasher: InputHasher): string {
  const rel = (p: string) => relativeToRoot(task.root, p);
  const portable = (s: string) => (task.root.length > 1 ? s.split(task.root).join('${root}') : s);
  const material = {
    v: 2,
    command: portable(task.command),
    env: Object.entries(task.env)
      .map(([k, v]) => [k, portable(v)])
      .sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0)),
    executor: task.executor,
    image: task.executor === 'docker' ? task.image : null,
    workdir: rel(task.workdir),
    params: task.usedParams,
    inputs: task.inputs.map((i) => [rel(i), hasher.hash(i)]),
    outputs: task.outputs.map(rel),
    upstream,
  };
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}

/** `p` relative to the workspace root in POSIX form ('.' for the root); absolute when outside it. */
export function relativeToRoot(root: string, p: string): string {
  const r = path.relative(root, p);
  if (r === '') return '.';
  return r.startsWith('..') || path.isAbsolute(r) ? p : r.split(path.sep).join('/');
}

/** A task is reused when caching is on, its fingerprint matches its last success and its outputs exist. */
export function isCacheHit(task: PlannedTask, fp: string, lastSuccess: string | undefined, force: boolean): boolean {
  return !force && task.cache && lastSuccess === fp && task.outputs.every((o) => fs.existsSync(o));
}
