import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openRegularAsync } from '../../../core/src/node/read';
import { RefusedPath } from './hash';

/** Where a content hash is kept, relative to the artifact folder: `artifacts/sha256/ab/abcdef…`. */
export function artifactPath(sha256: string): string {
  return `artifacts/sha256/${sha256.slice(0, 2)}/${sha256}`;
}

/**
 * Copies a file into the content-addressed store and returns its hash and size. The copy
 * is hashed while it is written (one read of the source) into a temporary name and renamed
 * into place only when complete, so a crash never leaves a partial file under a valid
 * hash. A hash already in the store is kept as it is: equal hashes mean equal bytes.
 */
export async function storeFile(artifactsDir: string, file: string): Promise<{ sha256: string; size: number; stored: string }> {
  // Only a regular file is copied: a FIFO would never end and a device would fill the disk.
  const opened = await openRegularAsync(file);
  if (!opened.ok) throw new RefusedPath(file, opened.why);
  const source = opened.handle.createReadStream();
  const tmpDir = path.join(artifactsDir, 'artifacts', 'tmp');
  await fs.promises.mkdir(tmpDir, { recursive: true });
  const tmp = path.join(tmpDir, `${process.pid}-${randomBytes(6).toString('hex')}`);
  const h = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      h.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  try {
    await pipeline(source, tap, fs.createWriteStream(tmp, { mode: 0o444 }));
    const sha256 = h.digest('hex');
    const stored = artifactPath(sha256);
    const dest = path.join(artifactsDir, stored);
    if (fs.existsSync(dest)) {
      await fs.promises.rm(tmp, { force: true });
    } else {
      await fs.promises.mkdir(path.dirname(dest), { recursive: true });
      await fs.promises.rename(tmp, dest);
    }
    return { sha256, size, stored };
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    throw e;
  } finally {
    source.destroy();
  }
}
