import * as fs from 'node:fs';
import * as path from 'node:path';
import { documentKind } from '../../../core/src/index';
import { manifestKindOf } from '../../../core/src/devcontainer/index';
import { describeUnread, READ_LIMITS, readTextBounded } from '../../../core/src/node/read';

/** Folders never searched for notebooks and pipelines. */
const SKIP = new Set(['node_modules', '.git', '.mlops', '.venv', 'venv', 'env', '__pycache__', 'dist', 'build', 'out', '.tox', '.cache', '.ipynb_checkpoints', 'site-packages', 'mlruns', '.devcontainer']);

/** Root files whose presence or text detection reads besides the manifests. */
const ROOT_FILES = new Set(['.python-version', 'poetry.lock', 'Pipfile.lock', 'MLproject']);

/** Stop walking after this many entries; detection needs the top of a project, not all of its data. */
const MAX_ENTRIES = 20_000;

/** What detection reads of a project: file texts, and the files it wanted but did not read, with why. */
export interface ScannedProject {
  files: Map<string, string>;
  unread: Map<string, string>;
}

/**
 * Reads what detection needs from a project folder: manifests and `.python-version` at the
 * root (and requirements/*.txt), every pipeline file, and the paths of notebooks (their text
 * is not needed, so it is left empty). Keys are POSIX paths relative to `dir`. Each file is
 * read within its size limit; one over it is listed in `unread`, so detection can say so.
 */
export function scanProject(dir: string): ScannedProject {
  const files = new Map<string, string>();
  const unread = new Map<string, string>();
  const read = (rel: string, limit: number) => {
    const r = readTextBounded(path.join(dir, rel), { limit });
    if (r.ok) files.set(rel, r.text);
    else if (r.why.reason !== 'missing') unread.set(rel, describeUnread(r.why));
  };
  let seen = 0;
  const stack: string[] = [''];
  while (stack.length > 0 && seen < MAX_ENTRIES) {
    const rel = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      seen++;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIP.has(e.name) && !e.name.startsWith('.')) stack.push(r);
        continue;
      }
      if (!e.isFile()) continue;
      const atRoot = rel === '';
      const wanted =
        (atRoot && (manifestKindOf(e.name) !== undefined || ROOT_FILES.has(e.name))) ||
        (rel === 'requirements' && e.name.endsWith('.txt')) ||
        documentKind(e.name) === 'pipeline';
      if (wanted) read(r, documentKind(e.name) === 'pipeline' ? READ_LIMITS.document : READ_LIMITS.manifest);
      else if (e.name.endsWith('.ipynb')) files.set(r, '');
    }
  }
  return { files, unread };
}
