/**
 * What a lock file says about the Python it can install: a `poetry.lock` or `uv.lock` whose
 * locked package ships only CPython wheels up to cp311 (and no sdist) cannot be installed on
 * 3.12, whatever `requires-python` allows.
 */
import { parse as parseToml } from 'smol-toml';
import { normalizeName, type LineRef } from './requirements';

/** One locked package that limits the Python versions, and why. */
export interface LockLimit {
  package: string;
  version: string;
  /** The `X.Y` series its Linux wheels cover. */
  pythons: string[];
  /** The lock file line naming the package. */
  at: LineRef;
}

type Table = Record<string, unknown>;

const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The CPython series a wheel file name installs on, for Linux x86-64; undefined when it is not such a wheel. */
export function wheelPythons(file: string, candidates: readonly string[]): string[] | undefined {
  const m = /-([^-]+)-([^-]+)-([^-]+)\.whl$/.exec(file.replace(/[?#].*$/, '').replace(/^.*\//, ''));
  if (!m) return undefined;
  const [, pyTags, abiTags, platTags] = m;
  if (!platTags!.split('.').some((p) => p === 'any' || /^(many)?linux.*x86_64$/.test(p))) return undefined;
  const out = new Set<string>();
  for (const py of pyTags!.split('.')) {
    if (/^py3$|^py2\.py3$/.test(py)) return [...candidates];
    const cp = /^cp3(\d+)$/.exec(py);
    if (!cp) continue;
    const minor = Number(cp[1]);
    // abi3 wheels install on their own series and every later one.
    const stable = abiTags!.split('.').includes('abi3');
    for (const c of candidates) {
      const cm = Number(c.split('.')[1]);
      if (stable ? cm >= minor : cm === minor) out.add(c);
    }
  }
  return [...out];
}

/** Which candidate Pythons every locked package can be installed on, with the packages that narrow the set. */
export function lockLimits(path: string, text: string, candidates: readonly string[]): { limits: LockLimit[]; problem?: string } {
  let data: Table;
  try {
    data = parseToml(text) as Table;
  } catch (e) {
    return { limits: [], problem: `${path} is not valid TOML (${(e as Error).message.split('\n')[0]}); the Python choice ignores it.` };
  }
  const packages = Array.isArray(data['package']) ? data['package'] : [];
  const lines = text.split(/\r?\n/);
  const limits: LockLimit[] = [];
  for (const p of packages) {
    if (!isTable(p) || typeof p['name'] !== 'string') continue;
    const files: string[] = [];
    let sdist = false;
    // poetry.lock: files = [{file = "x.whl"}, {file = "x.tar.gz"}]; uv.lock: wheels = [{url|filename}], sdist = {...}.
    for (const f of Array.isArray(p['files']) ? p['files'] : []) if (isTable(f) && typeof f['file'] === 'string') files.push(f['file']);
    for (const w of Array.isArray(p['wheels']) ? p['wheels'] : []) {
      if (isTable(w)) {
        const name = typeof w['filename'] === 'string' ? w['filename'] : typeof w['url'] === 'string' ? w['url'] : typeof w['path'] === 'string' ? w['path'] : undefined;
        if (name) files.push(name);
      }
    }
    if (isTable(p['sdist']) || files.some((f) => /\.(tar\.gz|zip|tar\.bz2)$/.test(f))) sdist = true;
    const source = p['source'];
    // Local, git and directory sources build from source on any Python.
    if (isTable(source) && !('registry' in source)) sdist = true;
    const wheels = files.filter((f) => f.endsWith('.whl'));
    if (sdist || wheels.length === 0) continue;
    const covered = new Set<string>();
    let linux = false;
    for (const w of wheels) {
      const py = wheelPythons(w, candidates);
      if (py === undefined) continue;
      linux = true;
      for (const c of py) covered.add(c);
    }
    if (!linux || covered.size === candidates.length) continue;
    const name = p['name'];
    const version = typeof p['version'] === 'string' ? p['version'] : '';
    const key = normalizeName(name);
    const idx = lines.findIndex((l) => {
      const m = /^\s*name\s*=\s*"([^"]+)"/.exec(l);
      return m !== null && normalizeName(m[1]!) === key;
    });
    limits.push({
      package: name,
      version,
      pythons: candidates.filter((c) => covered.has(c)),
      at: idx >= 0 ? { line: idx + 1, text: lines[idx]!.trim() } : { line: 1, text: lines[0]?.trim() ?? '' },
    });
  }
  return { limits };
}
