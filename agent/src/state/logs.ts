import * as fs from 'node:fs';

/** A piece of a log file from `offset`, at most `limit` bytes, ending on a whole UTF-8 character. */
export function readLogChunk(file: string, offset: number, limit: number): { text: string; nextOffset: number } | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(limit);
    const n = fs.readSync(fd, buf, 0, limit, offset);
    let end = n;
    // Do not split a multi-byte character: back off to the start of an incomplete one.
    if (n === limit) {
      let i = n - 1;
      while (i >= 0 && i > n - 4 && (buf[i]! & 0xc0) === 0x80) i--;
      if (i >= 0 && buf[i]! >= 0xc0 && n - i < utf8Length(buf[i]!)) end = i;
    }
    return { text: buf.subarray(0, end).toString('utf8'), nextOffset: offset + end };
  } finally {
    fs.closeSync(fd);
  }
}

function utf8Length(lead: number): number {
  return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
}
