import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { documentKind } from '../../../core/src/index';
import { describeUnread, READ_LIMITS, readTextBoundedAsync } from '../../../core/src/node/read';
import { skippedFolder } from '../../../core/src/util/skip';

/** At most this many folders are read per workspace folder, so a huge tree cannot stall startup. */
const MAX_DIRS = 20_000;

/** Every `*.pipeline.yaml` / `*.features.yaml` below a folder, sorted (symlinked folders are not followed). */
export async function findProjectFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const stack = [root];
  for (let dirs = 0; stack.length > 0 && dirs < MAX_DIRS; dirs++) {
    const dir = stack.pop()!;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!skippedFolder(e.name) && !e.name.startsWith('.')) stack.push(p);
      } else if (e.isFile() && documentKind(e.name)) found.push(p);
    }
  }
  return found.sort();
}

/**
 * A pipeline or catalog's text, or undefined when it cannot be read or is refused (larger
 * than the document limit, not a regular file, or resolving outside the workspace folders);
 * `log` hears why a file that exists was refused. Invalid UTF-8 becomes U+FFFD, which the checks report.
 */
export async function readText(file: string, within: readonly string[], log: (line: string) => void): Promise<string | undefined> {
  const r = await readTextBoundedAsync(file, { limit: READ_LIMITS.document, within });
  if (r.ok) return r.text;
  if (r.why.reason !== 'missing') log(`${file} ${describeUnread(r.why)}; it is not checked.`);
  return undefined;
}
