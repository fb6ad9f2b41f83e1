import { promises as fsp, readdirSync, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { documentKind, skippedFolder, type DocumentKind } from '../project';

/** Which files a walk collects, and how far it may go. */
export interface WalkOptions {
  /** Collect a file, given the POSIX path of its folder relative to the root ('' for the root) and its name. */
  want(folder: string, name: string): boolean;
  /** Stop after this many folder entries, so a huge tree cannot stall whoever walks it. */
  maxEntries?: number;
}

/**
 * The walk itself, apart from how a folder is read, so the synchronous and asynchronous
 * walkers below share it: it yields a folder to read and is given its entries back
 * (undefined when the folder cannot be read, which skips it). Skipped folders
 * (`skippedFolder`) and symbolic links are not entered. Returns the wanted files, sorted.
 */
function* walk(root: string, opts: WalkOptions): Generator<string, string[], Dirent[] | undefined> {
  const found: string[] = [];
  const stack: string[] = [''];
  let seen = 0;
  const max = opts.maxEntries ?? Infinity;
  while (stack.length > 0 && seen < max) {
    const rel = stack.pop()!;
    const entries = yield path.join(root, rel);
    for (const e of entries ?? []) {
      if (++seen > max) break;
      if (e.isDirectory()) {
        if (!skippedFolder(e.name)) stack.push(rel ? `${rel}/${e.name}` : e.name);
      } else if (e.isFile() && opts.want(rel, e.name)) {
        found.push(path.join(root, rel, e.name));
      }
    }
  }
  return found.sort();
}

/** The wanted files below `root` (absolute, sorted), read synchronously: for the CLI. */
export function findFilesSync(root: string, opts: WalkOptions): string[] {
  const w = walk(root, opts);
  for (let step = w.next(); ;) {
    if (step.done) return step.value;
    let entries: Dirent[] | undefined;
    try {
      entries = readdirSync(step.value, { withFileTypes: true });
    } catch {
      entries = undefined;
    }
    step = w.next(entries);
  }
}

/** The wanted files below `root` (absolute, sorted), yielding to the event loop between folders: for long-lived processes. */
export async function findFiles(root: string, opts: WalkOptions): Promise<string[]> {
  const w = walk(root, opts);
  for (let step = w.next(); ;) {
    if (step.done) return step.value;
    step = w.next(await fsp.readdir(step.value, { withFileTypes: true }).catch(() => undefined));
  }
}

/** Collects the project files of one kind (or of both). */
function projectFile(kind?: DocumentKind): WalkOptions['want'] {
  return (_folder, name) => (kind ? documentKind(name) === kind : documentKind(name) !== undefined);
}

/** Every pipeline and/or feature catalog below `root`, read synchronously (the CLI). */
export function findProjectFilesSync(root: string, kind?: DocumentKind): string[] {
  return findFilesSync(root, { want: projectFile(kind) });
}

/** Every pipeline and/or feature catalog below `root`, at most `maxEntries` entries deep into the tree (the language server). */
export function findProjectFiles(root: string, kind?: DocumentKind, maxEntries?: number): Promise<string[]> {
  return findFiles(root, { want: projectFile(kind), ...(maxEntries === undefined ? {} : { maxEntries }) });
}
