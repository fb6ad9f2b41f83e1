import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeUnread, isInside, kindOf, openRegular, unreadFromError } from '../../core/src/node/read';
import type { PlannedTask } from './plan';

/** Where content hashes of unchanged files are remembered between runs. */
export interface HashCache {
  fileHash(p: string, size: number, mtimeNs: string): string | undefined;
  saveFileHash(p: string, size: number, mtimeNs: string, hash: string): void;
}

/** How far hashing one large input has got (bytes), for progress reports. */
export interface HashProgress {
  path: string;
  doneBytes: number;
  totalBytes: number;
}

/** Each input's hash (`file:…`, `dir:…` or `missing`), or why one cannot be hashed: the path and the reason. */
export type HashOutcome = { ok: true; hashes: string[] } | { ok: false; error: string };

export interface HashOptions {
  signal: AbortSignal;
  progress?: (p: HashProgress) => void;
}

const CHUNK = 1 << 20;
/** Files at least this large report progress (at their start, then about once a second). */
export const PROGRESS_MIN_BYTES = 64 * CHUNK;
const PROGRESS_EVERY_MS = 1000;
/** Hashing runs at most this long before the event loop gets a turn (signals, requests, the scheduler). */
const SLICE_MS = 20;

/** An input that cannot be hashed; the message names it and says why. */
class Unhashable extends Error {}

/**
 * Content hashes of input paths; a file is re-read only when its size or mtime changed.
 * Hashing is done in steps of at most 1 MiB: an input that is quick to hash is answered at
 * once, a large one in slices of a few milliseconds with the event loop running between
 * them, so a run can be cancelled and an agent keeps answering however large the input.
 */
export class InputHasher {
  private readonly buffer = Buffer.allocUnsafe(CHUNK);
  /** Time spent hashing synchronously in the current turn of the event loop. */
  private turnSpent = 0;
  private turnReset = false;

  constructor(
    private readonly cache: HashCache,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Hashes each path in order: synchronously while that stays quick, else the rest is a
   * promise. Never throws: an input that cannot be hashed (a dangling link, a loop, a FIFO)
   * is an error naming it. After `signal` aborts, the result is an error and no more is read.
   */
  hashAll(paths: readonly string[], opts: HashOptions): HashOutcome | Promise<HashOutcome> {
    const steps = this.hashPaths(paths, opts);
    return this.drive(steps, opts.signal);
  }

  /**
   * One path's hash, synchronously to the end, or undefined when it cannot be hashed; for
   * checks on files the agent itself put in place (restored outputs).
   */
  hashSync(p: string): string | undefined {
    const steps = this.hashPath(p, { signal: new AbortController().signal });
    try {
      for (;;) {
        const r = steps.next();
        if (r.done) return r.value;
      }
    } catch {
      return undefined;
    }
  }

  private *hashPaths(paths: readonly string[], opts: HashOptions): Generator<void, string[]> {
    const out: string[] = [];
    for (const p of paths) out.push(yield* this.hashPath(p, opts));
    return out;
  }

  /** Runs steps until done; past the turn's budget, continues in later turns. */
  private drive(steps: Generator<void, string[]>, signal: AbortSignal): HashOutcome | Promise<HashOutcome> {
    const first = this.run(steps, signal, true);
    if (first) return first;
    return new Promise((resolve) => {
      const next = () => {
        const r = this.run(steps, signal, false);
        if (r) resolve(r);
        else setImmediate(next);
      };
      setImmediate(next);
    });
  }

  /** Runs steps for one slice; the outcome when finished, undefined when there is more to do. */
  private run(steps: Generator<void, string[]>, signal: AbortSignal, sync: boolean): HashOutcome | undefined {
    const start = this.now();
    if (sync && !this.turnReset) {
      // The synchronous budget is shared by every hash started in this turn.
      this.turnReset = true;
      setImmediate(() => {
        this.turnSpent = 0;
        this.turnReset = false;
      });
    }
    const budget = sync ? SLICE_MS - this.turnSpent : SLICE_MS;
    try {
      for (;;) {
        if (signal.aborted) {
          steps.return([]);
          return { ok: false, error: 'hashing was cancelled' };
        }
        const r = steps.next();
        if (r.done) return { ok: true, hashes: r.value };
        if (this.now() - start >= budget) return undefined;
      }
    } catch (e) {
      return { ok: false, error: e instanceof Unhashable ? e.message : `hashing the inputs failed: ${(e as Error).message}` };
    } finally {
      if (sync) this.turnSpent += this.now() - start;
    }
  }

  /** `file:<sha256>`, `dir:<sha256 of the listing>` or `missing`. */
  private *hashPath(p: string, opts: HashOptions): Generator<void, string> {
    let st: fs.BigIntStats;
    try {
      st = fs.statSync(p, { bigint: true });
    } catch (e) {
      const why = unreadFromError(e);
      if (why.reason === 'missing' && !isLink(p)) return 'missing';
      throw unhashable(p, why.reason === 'missing' ? 'is a symbolic link to nothing' : describeUnread(why));
    }
    if (st.isDirectory()) return `dir:${yield* this.dirHash(p, opts)}`;
    if (!st.isFile()) throw unhashable(p, `is ${kindOf(st)}, not a regular file or folder`);
    return `file:${yield* this.fileHash(p, st, opts)}`;
  }

  private *fileHash(p: string, st: fs.BigIntStats, opts: HashOptions): Generator<void, string> {
    const size = Number(st.size);
    const mtime = String(st.mtimeNs);
    const known = this.cache.fileHash(p, size, mtime);
    if (known) return known;
    const opened = openRegular(p);
    if (!opened.ok) throw unhashable(p, describeUnread(opened.why));
    const h = createHash('sha256');
    const big = size >= PROGRESS_MIN_BYTES && opts.progress;
    let reported = this.now();
    if (big) opts.progress!({ path: p, doneBytes: 0, totalBytes: size });
    try {
      // Exactly the bytes the size in the cache key says: a file growing meanwhile is read
      // again next time (its mtime changed), and an endless one is not endless here.
      for (let done = 0; done < size;) {
        const n = fs.readSync(opened.fd, this.buffer, 0, Math.min(CHUNK, size - done), null);
        if (n === 0) break;
        h.update(this.buffer.subarray(0, n));
        done += n;
        if (big && this.now() - reported >= PROGRESS_EVERY_MS) {
          reported = this.now();
          opts.progress!({ path: p, doneBytes: done, totalBytes: size });
        }
        yield;
      }
    } finally {
      fs.closeSync(opened.fd);
    }
    const hash = h.digest('hex');
    if (big) opts.progress!({ path: p, doneBytes: size, totalBytes: size });
    this.cache.saveFileHash(p, size, mtime, hash);
    return hash;
  }

  private *dirHash(dir: string, opts: HashOptions): Generator<void, string> {
    const h = createHash('sha256');
    const self = this;
    function* walk(d: string, rel: string, ancestors: readonly string[]): Generator<void, void> {
      for (const name of fs.readdirSync(d).sort()) {
        const abs = path.join(d, name);
        const r = rel ? `${rel}/${name}` : name;
        let st: fs.BigIntStats;
        try {
          st = fs.statSync(abs, { bigint: true });
        } catch (e) {
          const why = unreadFromError(e);
          throw unhashable(abs, why.reason === 'missing' ? 'is a symbolic link to nothing' : describeUnread(why));
        }
        if (st.isDirectory()) {
          const real = fs.realpathSync(abs);
          // A link to a folder that holds the walk's own path would be walked forever.
          if (ancestors.some((a) => isInside(real, a))) throw unhashable(abs, 'is a symbolic link to a folder that contains it (a loop)');
          yield* walk(abs, r, [...ancestors, real]);
        } else if (st.isFile()) h.update(`${r}\0${yield* self.fileHash(abs, st, opts)}\n`);
        else throw unhashable(abs, `is ${kindOf(st)}, not a regular file or folder`);
        yield;
      }
    }
    yield* walk(dir, '', [fs.realpathSync(dir)]);
    return h.digest('hex');
  }
}

function unhashable(p: string, why: string): Unhashable {
  return new Unhashable(`Input ${p} ${why}; fix or remove it, or list only what the task reads.`);
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * A task's fingerprint: everything that decides what it produces — the interpolated
 * command, environment, executor and image, the params it uses, the content of its
 * inputs (`inputHashes`, one per input, from InputHasher), its outputs' paths and its
 * upstream tasks' fingerprints. It does not depend on
 * where the working copy is: paths count relative to the workspace root, and the root
 * itself, wherever it appears in the command or environment, counts as `${root}` — so two
 * working copies of one project (other folders, users, machines) agree on it, which is
 * what lets a team store share results between them.
 */
export function fingerprint(task: PlannedTask, upstream: Record<string, string | null>, inputHashes: readonly string[]): string {
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
    inputs: task.inputs.map((i, k) => [rel(i), inputHashes[k]]),
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
