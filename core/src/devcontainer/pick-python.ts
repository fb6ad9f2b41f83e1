/** The Python version a dev container gets, and the lines of the project's files that decided it. */
import type { DetectedFacts, Evidence, Installer } from './detect';
import { lockLimits } from './locks';
import type { Manifest } from './manifests';
import { pythonsWhere } from './markers';
import { admits, DEFAULT_PYTHON, PYTHON_VERSIONS, readPythonVersionFile } from './python';

/** A line of a file as evidence. */
export function evidence(files: ReadonlyMap<string, string>, file: string, line: number | undefined): Evidence | undefined {
  if (line === undefined) return undefined;
  const text = files.get(file)?.split(/\r?\n/)[line - 1];
  return text === undefined ? undefined : { file, line, text: text.trim() };
}

/**
 * The Python: a pin (`.python-version`, MLflow's python_env.yaml) wins; otherwise the newest
 * known release that the manifest's constraint, the lock file's wheels and the environment
 * markers of the requirements all allow (the default 3.12 when it is among them).
 */
export function pickPython(files: ReadonlyMap<string, string>, manifests: Manifest[], installer: Installer, base: Manifest[], pythonEnv: string | undefined, warnings: string[]): DetectedFacts['python'] {
  const constrained = manifests.find((m) => m.kind === installer && m.python && m.path !== pythonEnv) ?? manifests.find((m) => m.python && m.path !== pythonEnv);
  const conAt = constrained?.pythonLine ? evidence(files, constrained.path, constrained.pythonLine.line) : undefined;
  const pinFile = files.has('.python-version') ? readPythonVersionFile(files.get('.python-version')!) : undefined;
  const envManifest = pythonEnv ? manifests.find((m) => m.path === pythonEnv) : undefined;
  const envPin = envManifest?.python ? /(\d+\.\d+)/.exec(envManifest.python)?.[1] : undefined;
  const pin = pinFile
    ? { version: pinFile, source: '.python-version', at: evidence(files, '.python-version', 1) }
    : envPin
      ? { version: envPin, source: envManifest!.path, at: envManifest!.pythonLine ? evidence(files, envManifest!.path, envManifest!.pythonLine.line) : undefined }
      : undefined;
  if (pin) {
    if (constrained && !admits(pin.version, constrained.python!)) {
      warnings.push(`${pin.source} names ${pin.version} but ${constrained.path} requires Python ${constrained.python}; the image follows ${pin.source}.`);
    }
    return { version: pin.version, source: pin.source, ...(pin.at ? { at: pin.at } : {}) };
  }
  const all = [...PYTHON_VERSIONS];
  let allowed = constrained ? all.filter((v) => admits(v, constrained.python!)) : all;
  const narrowed: { why: string; at?: Evidence }[] = [];
  // A lock file can install only the Pythons every locked wheel-only package has wheels for.
  for (const lock of ['uv.lock', 'poetry.lock']) {
    if (!files.has(lock) || !(installer === 'uv' || installer === 'poetry')) continue;
    const { limits, problem } = lockLimits(lock, files.get(lock)!, all);
    if (problem) warnings.push(problem);
    for (const l of limits) {
      const next = allowed.filter((v) => l.pythons.includes(v));
      if (next.length === allowed.length) continue;
      if (next.length === 0) {
        warnings.push(
          `${lock}:${l.at.line} locks ${l.package} ${l.version}, whose Linux wheels cover Python ${l.pythons.join(', ') || 'none'} only, outside ${constrained?.python ?? 'the known releases'}; relock or choose --python.`,
        );
        continue;
      }
      narrowed.push({ why: `${lock} locks ${l.package} ${l.version} with Linux wheels for Python ${l.pythons.join(', ')} only`, at: { file: lock, ...l.at } });
      allowed = next;
    }
  }
  // Markers: a requirement written only for some Pythons (`; python_version <= "3.10"`) is skipped on the others.
  const byKey = new Map<string, { pythons: Set<string>; marker?: string; at?: Evidence }>();
  for (const m of base) {
    for (const r of m.requirements) {
      const where = pythonsWhere(r.marker, all);
      if (where.length === 0) continue;
      const cur = byKey.get(r.key) ?? { pythons: new Set<string>() };
      for (const w of where) cur.pythons.add(w);
      if (r.marker && /python_(full_)?version/.test(r.marker) && !cur.marker) {
        cur.marker = r.marker;
        const at = evidence(files, m.path, r.line);
        if (at) cur.at = at;
      }
      byKey.set(r.key, cur);
    }
  }
  for (const [key, v] of byKey) {
    if (!v.marker || v.pythons.size === all.length) continue;
    const next = allowed.filter((p) => v.pythons.has(p));
    if (next.length === 0 || next.length === allowed.length) continue;
    narrowed.push({ why: `${key} is installed only where ${v.marker}`, ...(v.at ? { at: v.at } : {}) });
    allowed = next;
  }
  const version = allowed.includes(DEFAULT_PYTHON) ? DEFAULT_PYTHON : (allowed[allowed.length - 1] ?? fallback(constrained?.python));
  const source = narrowed.length > 0 ? (narrowed[narrowed.length - 1]!.at?.file ?? constrained?.path ?? 'default') : (constrained?.path ?? 'default');
  return {
    version,
    source,
    ...(constrained ? { constraint: constrained.python! } : {}),
    ...(conAt ? { at: conAt } : {}),
    ...(narrowed.length ? { narrowed } : {}),
  };
}

function fallback(constraint: string | undefined): string {
  const named = constraint ? /(\d+)\.(\d+)/.exec(constraint) : null;
  return named ? `${named[1]}.${named[2]}` : DEFAULT_PYTHON;
}
