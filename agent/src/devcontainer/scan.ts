import * as path from 'node:path';
import { documentKind } from '../../../core/src/index';
import { manifestKindOf, readEnvironmentYml, readPythonEnv, readRequirementsTxt, readSetupPyManifest } from '../../../core/src/devcontainer/index';
import { findFilesSync } from '../../../core/src/node';
import { describeUnread, READ_LIMITS, readTextBounded } from '../../../core/src/node/read';

/** Root files whose presence or text detection reads besides the manifests. */
const ROOT_FILES = new Set(['.python-version', 'poetry.lock', 'Pipfile.lock', 'uv.lock', 'MLproject']);

/** Notebooks and top-level scripts whose imports are read (for "the code imports X, no manifest lists it"); more are listed without text. */
const MAX_CODE_FILES = 50;
/** How deep `-r` includes are followed; real projects nest two or three levels. */
const MAX_INCLUDE_DEPTH = 8;

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
  const wanted = (folder: string, name: string) =>
    (folder === '' && (manifestKindOf(name) !== undefined || ROOT_FILES.has(name))) || ((folder === 'requirements' || folder.startsWith('requirements/')) && /\.(txt|in)$/.test(name)) || documentKind(name) === 'pipeline';
  const isCode = (folder: string, name: string) => name.endsWith('.ipynb') || (folder === '' && name.endsWith('.py'));
  let code = 0;
  for (const abs of findFilesSync(dir, { want: (folder, name) => wanted(folder, name) || isCode(folder, name), maxEntries: MAX_ENTRIES })) {
    const r = path.relative(dir, abs).split(path.sep).join('/');
    const folder = r.includes('/') ? r.slice(0, r.lastIndexOf('/')) : '';
    if (wanted(folder, path.basename(r))) read(r, documentKind(r) === 'pipeline' ? READ_LIMITS.document : READ_LIMITS.manifest);
    else {
      // Their imports are offered as choices when no manifest lists them; past the budget only the path counts.
      if (code++ < MAX_CODE_FILES) read(r, READ_LIMITS.manifest);
      if (!files.has(r)) files.set(r, '');
    }
  }
  followIncludes(dir, files, (rel) => read(rel, READ_LIMITS.manifest));
  return { files, unread };
}

/** The files one manifest pulls in, project-relative (resolved against its folder). */
function includesOf(p: string, text: string, yaml: boolean): string[] {
  const kind = manifestKindOf(p);
  const m =
    kind === 'python-env'
      ? readPythonEnv(p, text)
      : kind === 'conda' || (yaml && /\.ya?ml$/.test(p))
        ? readEnvironmentYml(p, text)
        : kind === 'setup.py'
          ? readSetupPyManifest(p, text)
          : /\.(txt|in)$/.test(p)
            ? readRequirementsTxt(p, text)
            : undefined;
  return m ? m.includes.map((i) => i.path) : [];
}

/**
 * Reads the files manifests pull in (`-r`, `-c`, a conda `pip:` section, MLproject's
 * environment file), wherever they are in the project but never outside it.
 */
function followIncludes(dir: string, files: Map<string, string>, read: (rel: string) => void): void {
  const root = path.resolve(dir);
  const inside = (rel: string) => path.resolve(root, rel).startsWith(root + path.sep);
  const pending: { path: string; depth: number; yaml: boolean }[] = [...files.keys()].map((p) => ({ path: p, depth: 0, yaml: false }));
  for (const m of files.get('MLproject')?.matchAll(/^(?:python_env|conda_env)\s*:\s*['"]?([^'"\s#]+)/gm) ?? []) {
    const rel = m[1]!.replace(/^\.\//, '');
    if (!inside(rel)) continue;
    if (!files.has(rel)) read(rel);
    pending.push({ path: rel, depth: 0, yaml: true });
  }
  while (pending.length > 0) {
    const { path: p, depth, yaml } = pending.shift()!;
    const text = files.get(p);
    if (!text || depth >= MAX_INCLUDE_DEPTH) continue;
    for (const target of includesOf(p, text, yaml)) {
      if (files.has(target) || !inside(target)) continue;
      read(target);
      if (files.has(target)) pending.push({ path: target, depth: depth + 1, yaml: false });
    }
  }
}
