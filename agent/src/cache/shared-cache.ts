import * as fs from 'node:fs';
import * as path from 'node:path';
import { relativeToRoot, type InputHasher } from '../fingerprint';
import type { PlannedTask } from '../plan';
import { artifactPath, storeFile } from '../registry/artifacts';
import { walkFiles } from '../registry/hash';
import type { SharedCacheEntry, UploadedOutput } from '../state/store';

/**
 * Copies a succeeded task's outputs into the content-addressed artifact folder (files by
 * their sha256, so equal outputs are stored once), and lists what was copied, paths
 * relative to the workspace root. Undefined when an output is missing: a partial upload
 * must never be restored.
 */
export async function uploadOutputs(task: PlannedTask, artifacts: string): Promise<UploadedOutput[] | undefined> {
  const out: UploadedOutput[] = [];
  for (const abs of task.outputs) {
    const st = await fs.promises.stat(abs).catch(() => undefined);
    if (!st) return undefined;
    const rel = relativeToRoot(task.root, abs);
    if (path.isAbsolute(rel)) return undefined;
    if (st.isDirectory()) {
      const files: UploadedOutput['files'] = [];
      // Links are followed only while they stay inside the working copy: an upload shares what the task made.
      for (const f of walkFiles(abs, [task.root])) files.push({ path: f.rel, sha256: (await storeFile(artifacts, f.abs)).sha256 });
      out.push({ path: rel, kind: 'directory', sha256: null, files });
    } else {
      out.push({ path: rel, kind: 'file', sha256: (await storeFile(artifacts, abs)).sha256, files: [] });
    }
  }
  return out;
}

/**
 * Puts an uploaded success's outputs in place in this working copy. Files that already
 * hold the right content are left alone; everything is checked to be in the artifact
 * folder before anything is written. False when something is missing there (then the
 * task simply runs).
 */
export function restoreOutputs(entry: SharedCacheEntry, task: PlannedTask, artifacts: string, hasher: InputHasher): boolean {
  const copies: { from: string; to: string; sha256: string }[] = [];
  for (const o of entry.outputs) {
    const dest = path.join(task.root, ...o.path.split('/'));
    const files = o.kind === 'file' ? [{ to: dest, sha256: o.sha256! }] : o.files.map((f) => ({ to: path.join(dest, ...f.path.split('/')), sha256: f.sha256 }));
    for (const f of files) {
      const from = path.join(artifacts, artifactPath(f.sha256));
      if (!fs.existsSync(from)) return false;
      copies.push({ from, ...f });
    }
  }
  // Every declared output must be among them, or the task would be cached without its outputs.
  const restored = new Set(entry.outputs.map((o) => path.join(task.root, ...o.path.split('/'))));
  if (!task.outputs.every((o) => restored.has(o))) return false;
  for (const c of copies) {
    if (hasher.hashSync(c.to) === `file:${c.sha256}`) continue;
    fs.mkdirSync(path.dirname(c.to), { recursive: true });
    const tmp = `${c.to}.mlops-restore-${process.pid}`;
    fs.copyFileSync(c.from, tmp);
    fs.chmodSync(tmp, 0o644);
    fs.renameSync(tmp, c.to);
  }
  return true;
}
