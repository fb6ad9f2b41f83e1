/**
 * How the agent and the language server read files they did not write (Node only; core's
 * browser-safe index never imports this folder). Every read is bounded, refuses what is not
 * a regular file (a FIFO would block forever, `/dev/zero` never ends) and, when given the
 * workspace folders, refuses a path that resolves outside them: validation runs on opening
 * a repository, so a link in it must not make us read the rest of the machine.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatBytes } from '../catalog/display';
import type { FileText } from '../rules/problem';

const MB = 1_000_000;

/** The most bytes read of each kind of file (docs/limits.md lists them). */
export const READ_LIMITS = {
  /** A pipeline or feature catalog; the YAML parser checks at most 2 M characters of it. */
  document: 8 * MB,
  /** A source file validation looks into, e.g. a feature view's transformation. */
  source: 4 * MB,
  /** A manifest or config file: requirements, pyproject, Dockerfile, devcontainer.json, MLmodel. */
  manifest: 1 * MB,
  /** A metrics file registration reads. */
  metrics: 16 * MB,
} as const;

/** Why a file was not read. */
export type Unread =
  { reason: 'missing' } | { reason: 'not-a-file'; kind: string } | { reason: 'too-large'; size: number; limit: number } | { reason: 'outside'; target: string } | { reason: 'loop' } | { reason: 'error'; code: string };

export type ReadResult = { ok: true; bytes: Buffer } | { ok: false; why: Unread };

export interface ReadOptions {
  /** The most bytes to read; a larger file is refused, not cut. */
  limit: number;
  /** When given, the file (after resolving symbolic links) must lie inside one of these folders. */
  within?: readonly string[];
}

/** A file's type in words, for messages: `a FIFO`, `a character device`, `a folder`. */
export function kindOf(st: fs.Stats | fs.BigIntStats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** The clause that follows a file's name in a message: `is a FIFO, not a regular file`. */
export function describeUnread(why: Unread): string {
  switch (why.reason) {
    case 'missing':
      return 'does not exist';
    case 'not-a-file':
      return `is ${why.kind}, not a regular file`;
    case 'too-large':
      return `is ${formatBytes(why.size)}, over the ${formatBytes(why.limit)} limit for this kind of file`;
    case 'outside':
      return `resolves to ${why.target}, outside the workspace, and is not followed`;
    case 'loop':
      return 'is a loop of symbolic links';
    case 'error':
      return `cannot be read (${why.code})`;
  }
}

/** Maps the errors of stat/open/realpath to a reason. */
export function unreadFromError(e: unknown): Unread {
  const code = (e as NodeJS.ErrnoException).code ?? 'error';
  if (code === 'ENOENT' || code === 'ENOTDIR') return { reason: 'missing' };
  if (code === 'ELOOP') return { reason: 'loop' };
  if (code === 'EISDIR') return { reason: 'not-a-file', kind: 'a folder' };
  return { reason: 'error', code };
}

/** Whether `child` (an absolute, resolved path) is `parent` or lies below it. */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

const realRoots = new Map<string, string>();

/** A workspace folder with its own symbolic links resolved (remembered: roots do not move). */
function realRoot(root: string): string {
  let r = realRoots.get(root);
  if (r === undefined) {
    try {
      r = fs.realpathSync(root);
    } catch {
      r = path.resolve(root);
    }
    if (realRoots.size > 64) realRoots.clear();
    realRoots.set(root, r);
  }
  return r;
}

/** Why `file` may not be read given the folders it must stay within, or undefined when it may. */
function containment(file: string, within: readonly string[] | undefined): Unread | undefined {
  if (!within || within.length === 0) return undefined;
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch (e) {
    return unreadFromError(e);
  }
  return within.some((root) => isInside(realRoot(root), real)) ? undefined : { reason: 'outside', target: real };
}

// O_NONBLOCK: opening a FIFO that no one writes to returns at once instead of waiting for a
// writer (the stat before the open refuses FIFOs; this closes the race where one is swapped in).
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0);

/**
 * Opens a regular file for reading without ever blocking on a FIFO or device: stat first
 * (devices are never opened), then open non-blocking and check again on the descriptor.
 * Returns the descriptor and its size, or why not. The caller closes the descriptor.
 */
export function openRegular(file: string, within?: readonly string[]): { ok: true; fd: number; size: number; stats: fs.BigIntStats } | { ok: false; why: Unread } {
  const outside = containment(file, within);
  if (outside) return { ok: false, why: outside };
  let fd: number;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return { ok: false, why: { reason: 'not-a-file', kind: kindOf(st) } };
    fd = fs.openSync(file, OPEN_FLAGS);
  } catch (e) {
    return { ok: false, why: unreadFromError(e) };
  }
  const st = fs.fstatSync(fd, { bigint: true });
  if (!st.isFile()) {
    fs.closeSync(fd);
    return { ok: false, why: { reason: 'not-a-file', kind: kindOf(st) } };
  }
  return { ok: true, fd, size: Number(st.size), stats: st };
}

/**
 * Reads a whole regular file of at most `limit` bytes. Reads at most `limit + 1` bytes
 * whatever the file claims (files in /proc say 0 and have more; a file may grow meanwhile).
 */
export function readBounded(file: string, opts: ReadOptions): ReadResult {
  const opened = openRegular(file, opts.within);
  if (!opened.ok) return opened;
  const { fd, size } = opened;
  try {
    if (size > opts.limit) return { ok: false, why: { reason: 'too-large', size, limit: opts.limit } };
    const gather = new Gather(size, opts.limit);
    for (;;) {
      const buf = gather.room();
      const n = readSome(fd, buf);
      if (n === 0) break;
      if (!gather.took(n)) return gather.tooLarge();
    }
    return { ok: true, bytes: gather.bytes() };
  } catch (e) {
    return { ok: false, why: unreadFromError(e) };
  } finally {
    fs.closeSync(fd);
  }
}

/** Collects a file's bytes in chunks, refusing to hold more than `limit + 1` of them. */
class Gather {
  private readonly chunks: Buffer[] = [];
  private readonly buf: Buffer;
  private total = 0;

  constructor(
    size: number,
    private readonly limit: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.min(limit + 1, Math.max(size + 1, 64 * 1024)));
  }

  room(): Buffer {
    return this.buf;
  }

  /** Keeps `n` bytes just read into `room()`; false once the limit is passed. */
  took(n: number): boolean {
    this.chunks.push(Buffer.from(this.buf.subarray(0, n)));
    this.total += n;
    return this.total <= this.limit;
  }

  tooLarge(): ReadResult & { ok: false } {
    return { ok: false, why: { reason: 'too-large', size: this.total, limit: this.limit } };
  }

  bytes(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.total);
  }
}

function readSome(fd: number, buf: Buffer): number {
  try {
    return fs.readSync(fd, buf, 0, buf.length, null);
  } catch (e) {
    // Non-blocking descriptors say EAGAIN when nothing is there yet; a regular file never does.
    if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return 0;
    throw e;
  }
}

/** Bytes as text; invalid UTF-8 becomes U+FFFD, which the validator reports with its position. */
export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

/** A bounded read decoded as text. */
export function readTextBounded(file: string, opts: ReadOptions): { ok: true; text: string } | { ok: false; why: Unread } {
  const r = readBounded(file, opts);
  return r.ok ? { ok: true, text: decodeText(r.bytes) } : r;
}

/** openRegular on the thread pool. The caller closes the handle. */
export async function openRegularAsync(file: string, within?: readonly string[]): Promise<{ ok: true; handle: fs.promises.FileHandle; size: number } | { ok: false; why: Unread }> {
  const outside = containment(file, within);
  if (outside) return { ok: false, why: outside };
  let handle: fs.promises.FileHandle;
  try {
    const st = await fs.promises.stat(file);
    if (!st.isFile()) return { ok: false, why: { reason: 'not-a-file', kind: kindOf(st) } };
    handle = await fs.promises.open(file, OPEN_FLAGS);
  } catch (e) {
    return { ok: false, why: unreadFromError(e) };
  }
  const st = await handle.stat();
  if (!st.isFile()) {
    await handle.close();
    return { ok: false, why: { reason: 'not-a-file', kind: kindOf(st) } };
  }
  return { ok: true, handle, size: st.size };
}

/** The same read on the thread pool, for the language server's main thread. */
export async function readTextBoundedAsync(file: string, opts: ReadOptions): Promise<{ ok: true; text: string } | { ok: false; why: Unread }> {
  const opened = await openRegularAsync(file, opts.within);
  if (!opened.ok) return opened;
  const { handle, size } = opened;
  try {
    if (size > opts.limit) return { ok: false, why: { reason: 'too-large', size, limit: opts.limit } };
    const gather = new Gather(size, opts.limit);
    for (;;) {
      const buf = gather.room();
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      if (!gather.took(bytesRead)) return gather.tooLarge();
    }
    return { ok: true, text: decodeText(gather.bytes()) };
  } catch (e) {
    return { ok: false, why: unreadFromError(e) };
  } finally {
    await handle.close();
  }
}

/** A bounded read in the shape core's rules take (see FileHost). */
export function fileText(file: string, opts: ReadOptions): FileText {
  const r = readTextBounded(file, opts);
  return r.ok ? r : { ok: false, missing: r.why.reason === 'missing', why: describeUnread(r.why) };
}

/**
 * sha256 of a regular file, read in 1 MiB pieces (never whole in memory). Only for files
 * of a known kind and size: FIFOs and devices are refused like any bounded read.
 */
export function hashFileSync(file: string, within?: readonly string[]): { ok: true; sha256: string; size: number } | { ok: false; why: Unread } {
  const opened = openRegular(file, within);
  if (!opened.ok) return opened;
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(1024 * 1024);
  let size = 0;
  try {
    for (let n; (n = readSome(opened.fd, buf)) > 0; size += n) h.update(buf.subarray(0, n));
    return { ok: true, sha256: h.digest('hex'), size };
  } catch (e) {
    return { ok: false, why: unreadFromError(e) };
  } finally {
    fs.closeSync(opened.fd);
  }
}

/** hashFileSync on the thread pool: the event loop stays free while a large file is read. */
export async function hashFileAsync(file: string, within?: readonly string[]): Promise<{ ok: true; sha256: string; size: number } | { ok: false; why: Unread }> {
  const opened = await openRegularAsync(file, within);
  if (!opened.ok) return opened;
  const { handle } = opened;
  try {
    const h = createHash('sha256');
    const buf = Buffer.allocUnsafe(1024 * 1024);
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { ok: true, sha256: h.digest('hex'), size };
  } catch (e) {
    return { ok: false, why: unreadFromError(e) };
  } finally {
    await handle.close();
  }
}
