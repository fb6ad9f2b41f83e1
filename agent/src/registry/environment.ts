import { execFile, type ExecFileException } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** File names that pin a Python project's dependencies or interpreter. */
const MANIFEST =
  /^(requirements[\w.-]*\.(txt|in)|constraints[\w.-]*\.txt|pyproject\.toml|setup\.py|setup\.cfg|environment\.ya?ml|conda\.ya?ml|conda-lock\.ya?ml|Pipfile|Pipfile\.lock|poetry\.lock|uv\.lock|pdm\.lock|pixi\.lock|pixi\.toml|\.python-version|runtime\.txt)$/;

/**
 * Dependency manifests that apply to a pipeline: those in its folder and in every folder
 * above it up to the workspace root (a `requirements/` folder counts too), absolute paths,
 * nearest first. Deeper folders are not searched: they belong to other projects.
 */
export function findManifests(from: string, root: string): string[] {
  const out: string[] = [];
  const stop = path.resolve(root);
  for (let d = path.resolve(from); ; d = path.dirname(d)) {
    for (const dir of [d, path.join(d, 'requirements')]) {
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch {
        continue;
      }
      for (const n of names.sort()) {
        const p = path.join(dir, n);
        if ((MANIFEST.test(n) || (dir !== d && n.endsWith('.txt'))) && fs.statSync(p).isFile()) out.push(p);
      }
    }
    if (d === stop || path.dirname(d) === d || !d.startsWith(stop)) break;
  }
  return [...new Set(out)];
}

/** The Python interpreter a local task would have found, as `python3 --version` reports it. */
export async function pythonVersion(timeoutMs = 5000): Promise<{ name: string; version: string | null; note: string | null }> {
  for (const exe of ['python3', 'python']) {
    const r = await new Promise<{ out: string; error: ExecFileException | null }>((resolve) => {
      execFile(exe, ['--version'], { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => resolve({ out: `${stdout}${stderr}`, error }));
    });
    const m = /Python\s+(\S+)/.exec(r.out);
    if (m) return { name: 'python', version: m[1]!, note: null };
    if (r.error && r.error.code !== 'ENOENT') {
      const why = r.error.killed ? `did not answer within ${timeoutMs / 1000} s` : `failed (${r.error.message.split('\n')[0]})`;
      return { name: 'python', version: null, note: `${exe} --version ${why}` };
    }
  }
  return { name: 'python', version: null, note: 'no python3 or python on PATH' };
}
