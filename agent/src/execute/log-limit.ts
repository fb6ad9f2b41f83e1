import * as fs from 'node:fs';
import { Writable } from 'node:stream';

/** A task's log is kept to this many bytes unless MLOPS_LOG_LIMIT or --log-limit say otherwise. */
export const DEFAULT_LOG_LIMIT = 100 * 1024 * 1024;
/** Past the limit, at most this much of the latest output is kept after the note. */
export const LOG_TAIL = 1024 * 1024;

/** `100M`, `1G`, `512K`, `4096`: a size in bytes (K, M, G are powers of 1024); undefined when not one. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([kmg])?(?:i?b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1;
  const n = Number(m[1]) * unit;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** The log limit in force: the run's own, else MLOPS_LOG_LIMIT, else the default. */
export function logLimit(requested?: number): number {
  if (requested !== undefined && requested > 0) return requested;
  const env = process.env.MLOPS_LOG_LIMIT;
  return (env && parseSize(env)) || DEFAULT_LOG_LIMIT;
}

export function formatSize(n: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const)
    if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  return `${n} bytes`;
}

/** The line written where a log was cut. */
export function limitNote(limit: number): string {
  return `\n[mlops: this log reached its limit of ${formatSize(limit)} (MLOPS_LOG_LIMIT or mlops run --log-limit); the output after this point is dropped except its last ${formatSize(LOG_TAIL)}]\n`;
}

/**
 * Keeps a log file that a running process appends to within its limit: once it grows past
 * `limit`, it is cut there and the note appended; from then on only the latest `LOG_TAIL`
 * bytes after the note are kept (the end of a log — the error, the final metrics — is what
 * people read). The writer appends (O_APPEND), so its next write lands at the new end.
 * Checked on the executor's poll, so the file may pass its limit by what is written between
 * two looks.
 */
export class LogCap {
  /** The file's size right after the note, once cut. */
  private mark: number | null = null;

  constructor(private readonly limit: number) {}

  /** Applies the limit to `file` as it is now. */
  check(file: string): void {
    const size = fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    try {
      if (this.mark === null) {
        if (size <= this.limit) return;
        const note = Buffer.from(limitNote(this.limit));
        keepTail(file, this.limit, size, note);
        this.mark = this.limit + note.length;
      } else if (size > this.mark + LOG_TAIL) {
        keepTail(file, this.mark, size);
      }
    } catch {
      // A log that cannot be cut (gone, not ours) is left as it is.
    }
  }
}

/**
 * Writes `note` at `at`, then the last LOG_TAIL bytes the file had after `at`, and cuts the rest.
 * The task keeps appending meanwhile: what it appends while the tail is read is read too, so only
 * a write in the instant of the final write and cut can be lost — not the task's last lines.
 */
function keepTail(file: string, at: number, size: number, note: Buffer = Buffer.alloc(0)): void {
  const fd = fs.openSync(file, 'r+');
  try {
    const parts: Buffer[] = [];
    let read = Math.max(at, size - LOG_TAIL);
    // A few rounds at most: a task that writes faster than this reads loses what comes after them.
    for (let end = size, round = 0; end > read && round < 8; end = fs.fstatSync(fd).size, round++) {
      const part = Buffer.alloc(Math.min(end - read, LOG_TAIL));
      read = Math.max(read, end - part.length);
      const n = fs.readSync(fd, part, 0, part.length, read);
      if (n === 0) break;
      read += n;
      parts.push(part.subarray(0, n));
    }
    const tail = Buffer.concat(parts);
    const out = Buffer.concat([note, tail.subarray(Math.max(0, tail.length - LOG_TAIL))]);
    fs.writeSync(fd, out, 0, out.length, at);
    fs.ftruncateSync(fd, at + out.length);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A writer in front of a log for output the agent itself streams (the docker executor):
 * the first `limit` bytes go through, then the note, and the latest LOG_TAIL bytes are held
 * in memory and written when the stream ends.
 */
export function cappedLog(target: fs.WriteStream, limit: number): Writable {
  let written = 0;
  let tail: Buffer[] = [];
  let tailBytes = 0;
  let cut = false;
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      const room = limit - written;
      if (!cut && chunk.length <= room) {
        written += chunk.length;
        target.write(chunk, done);
        return;
      }
      if (!cut) {
        cut = true;
        target.write(Buffer.concat([chunk.subarray(0, Math.max(0, room)), Buffer.from(limitNote(limit))]));
        chunk = chunk.subarray(Math.max(0, room));
        written = limit;
      }
      tail.push(chunk);
      tailBytes += chunk.length;
      while (tailBytes - tail[0]!.length >= LOG_TAIL) tailBytes -= tail.shift()!.length;
      done();
    },
    final(done) {
      const rest = Buffer.concat(tail);
      tail = [];
      target.end(rest.subarray(Math.max(0, rest.length - LOG_TAIL)), () => done());
    },
  });
}
