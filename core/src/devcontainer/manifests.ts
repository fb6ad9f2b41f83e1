/** Readers for the dependency manifests Python projects keep: what they require and which Python. */
import { parse as parseToml } from 'smol-toml';
import { parse as parseYamlValue } from 'yaml';
import { markerHolds } from './markers';
import { lineOfPackage, lineWhere, normalizeName, parseRequirement, parseRequirementsFile, type LineRef, type Requirement } from './requirements';
import { readSetupPy } from './setup-py';

export type ManifestKind = 'requirements' | 'pep621' | 'poetry' | 'uv' | 'conda' | 'pipenv' | 'setup.cfg' | 'setup.py';

/** One manifest, read. */
export interface Manifest {
  /** Project-relative POSIX path. */
  path: string;
  kind: ManifestKind;
  /** Dependencies the project always needs. */
  requirements: Requirement[];
  /** Optional groups by name: PEP 621 extras, PEP 735 groups, Poetry groups and extras, Pipenv dev-packages, setup.cfg extras. */
  groups: Record<string, Requirement[]>;
  /** Which of `groups` are extras (`pip install .[x]`, `poetry -E x`) rather than dependency groups. */
  extras: string[];
  /** The Python constraint as written (`>=3.10`, `^3.11`, `3.10`). */
  python?: string;
  /** Package indexes, extra indexes, find-links and Poetry/Pipenv sources. */
  indexes: string[];
  /** Conda channels, in order. */
  channels: string[];
  /** Entries that install local code and so need the source tree. */
  local: string[];
  /** Where each `local` entry is written, in the same order. */
  localLines: LineRef[];
  /** Why the file could not be read completely, in one sentence each. */
  problems: string[];
  /** Where the Python constraint is written. */
  pythonLine?: LineRef;
  /** Files this one pulls in (`-r`, `-c`, a conda `pip:` section's `-r`), project-relative, with the line that names them. */
  includes: { path: string; constraint: boolean; line: number }[];
  /** Package indexes that apply only with one optional group (uv sources per extra), by group. */
  groupIndexes: Record<string, { url: string; line?: LineRef }>;
  /** Where each index URL is written. */
  indexLines: Record<string, LineRef>;
  /** Dependency groups the tool installs unless told otherwise (uv: `dev`). */
  defaultGroups: string[];
  /** The project's own distribution name (PEP 503), for extras that name the project itself. */
  projectName?: string;
  /** A `[build-system]` table or setup.py: the project itself can be installed (editable). */
  installable: boolean;
  /** The conda environment's `name:`. */
  envName?: string;
  /** A requirements file a setup.py reads its dependencies from. */
  readsFile?: string;
}

function empty(path: string, kind: ManifestKind): Manifest {
  return {
    path,
    kind,
    requirements: [],
    groups: {},
    extras: [],
    indexes: [],
    channels: [],
    local: [],
    localLines: [],
    problems: [],
    includes: [],
    groupIndexes: {},
    indexLines: {},
    defaultGroups: [],
    installable: false,
  };
}

/** `a/b/c.txt` + `../d.txt` → `a/d.txt`: an include written in `from` resolved against its folder. */
export function resolveInclude(from: string, rel: string): string {
  const dir = from.includes('/') ? from.slice(0, from.lastIndexOf('/') + 1) : '';
  const out: string[] = [];
  for (const s of (rel.startsWith('/') ? rel : dir + rel).split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return out.join('/');
}

type Table = Record<string, unknown>;

function isTable(v: unknown): v is Table {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function table(v: unknown, ...keys: string[]): Table | undefined {
  let cur: unknown = v;
  for (const k of keys) {
    if (!isTable(cur)) return undefined;
    cur = cur[k];
  }
  return isTable(cur) ? cur : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function pep508List(v: unknown): Requirement[] {
  return strings(v)
    .map((s) => parseRequirement(s))
    .filter((r): r is Requirement => r !== undefined);
}

function readToml(path: string, kind: ManifestKind, text: string): { data?: Table; manifest: Manifest } {
  const manifest = empty(path, kind);
  try {
    return { data: parseToml(text) as Table, manifest };
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0];
    manifest.problems.push(`${path} is not valid TOML (${msg}); fix it so its dependencies can be read.`);
    return { manifest };
  }
}

/** A `requirements*.txt` file. */
export function readRequirementsTxt(path: string, text: string): Manifest {
  const f = parseRequirementsFile(text);
  return {
    ...empty(path, 'requirements'),
    requirements: f.requirements,
    indexes: [...f.indexUrls, ...f.extraIndexUrls],
    indexLines: f.indexLines,
    local: f.local,
    localLines: f.localLines,
    includes: f.includes.map((i) => ({ ...i, path: resolveInclude(path, i.path) })),
  };
}

/** True when a pyproject.toml is managed by Poetry (its `[tool.poetry]` table is present). */
export function isPoetryProject(text: string): boolean {
  return /^\s*\[tool\.poetry[\].]/m.test(text);
}

/** A `pyproject.toml`: PEP 621 `[project]`, PEP 735 `[dependency-groups]`, and Poetry's `[tool.poetry]`. */
export function readPyproject(path: string, text: string): Manifest {
  const kind: ManifestKind = isPoetryProject(text) ? 'poetry' : /^\s*\[\[?tool\.uv[\].]/m.test(text) ? 'uv' : 'pep621';
  const { data, manifest } = readToml(path, kind, text);
  if (!data) return manifest;
  manifest.installable = table(data, 'build-system') !== undefined;
  const project = table(data, 'project');
  if (project) {
    if (typeof project['name'] === 'string') manifest.projectName = normalizeName(project['name']);
    manifest.requirements.push(...pep508List(project['dependencies']));
    if (typeof project['requires-python'] === 'string') {
      manifest.python = project['requires-python'];
      manifest.pythonLine = lineWhere(text, (l) => /^\s*requires-python\s*=/.test(l));
    }
    const optional = table(project, 'optional-dependencies') ?? {};
    for (const [name, deps] of Object.entries(optional)) manifest.groups[name] = pep508List(deps);
    manifest.extras.push(...Object.keys(optional));
  }
  const groups = table(data, 'dependency-groups') ?? {};
  for (const name of Object.keys(groups)) manifest.groups[name] = dependencyGroup(groups, name, new Set());
  const uv = table(data, 'tool', 'uv');
  if (uv) readUv(data, uv, manifest, text);
  const poetry = table(data, 'tool', 'poetry');
  if (poetry) readPoetry(poetry, manifest);
  // An extra or group that names the project itself (`me[test]`) means that extra's dependencies, not a download of the published package.
  if (manifest.projectName) {
    const self = manifest.projectName;
    const expand = (reqs: Requirement[], seen: Set<string>): Requirement[] =>
      reqs.flatMap((r) => (r.key === self ? r.extras.filter((e) => !seen.has(e) && manifest.groups[e]).flatMap((e) => expand(manifest.groups[e]!, new Set([...seen, e]))) : [r]));
    for (const name of Object.keys(manifest.groups)) manifest.groups[name] = expand(manifest.groups[name]!, new Set([name]));
    manifest.requirements = expand(manifest.requirements, new Set());
  }
  return manifest;
}

/** A PEP 735 group with its `{include-group = "x"}` entries expanded. */
function dependencyGroup(groups: Table, name: string, seen: Set<string>): Requirement[] {
  const list = groups[name];
  if (!Array.isArray(list) || seen.has(name)) return [];
  const next = new Set([...seen, name]);
  return list.flatMap((item) => {
    if (typeof item === 'string') return pep508List([item]);
    if (isTable(item) && typeof item['include-group'] === 'string') return dependencyGroup(groups, item['include-group'], next);
    return [];
  });
}

/** `[tool.uv]`: indexes, sources that pick an index per extra (`cu124`, `cpu`), default groups and legacy dev-dependencies. */
function readUv(data: Table, uv: Table, manifest: Manifest, text: string): void {
  const named = new Map<string, string>();
  const indexes = uv['index'];
  if (Array.isArray(indexes)) {
    for (const ix of indexes) {
      if (!isTable(ix) || typeof ix['url'] !== 'string') continue;
      if (typeof ix['name'] === 'string') named.set(ix['name'], ix['url']);
      const line = lineWhere(text, (l) => l.includes(ix['url'] as string));
      if (line) manifest.indexLines[ix['url']] = line;
      // An explicit index serves only the packages a source points at it.
      if (ix['explicit'] !== true) manifest.indexes.push(ix['url']);
    }
  }
  const sources = table(data, 'tool', 'uv', 'sources') ?? {};
  for (const [pkg, value] of Object.entries(sources)) {
    for (const src of Array.isArray(value) ? value : [value]) {
      if (!isTable(src) || typeof src['index'] !== 'string') continue;
      const url = named.get(src['index']);
      if (!url) continue;
      if (typeof src['marker'] === 'string' && markerHolds(src['marker'], '3.12') === false) continue;
      const scope = typeof src['extra'] === 'string' ? src['extra'] : typeof src['group'] === 'string' ? src['group'] : undefined;
      const line = lineWhere(text, (l) => l.includes(`"${src['index']}"`) && (scope === undefined || l.includes(`"${scope}"`)) && !/^\s*name\s*=/.test(l));
      if (scope) manifest.groupIndexes[scope] = { url, ...(line ? { line } : {}) };
      else if (!manifest.indexes.includes(url)) {
        manifest.indexes.push(url);
        manifest.indexLines[url] = line ?? manifest.indexLines[url]!;
      }
      void pkg;
    }
  }
  const devDeps = pep508List(uv['dev-dependencies']);
  if (devDeps.length > 0) manifest.groups['dev'] = [...(manifest.groups['dev'] ?? []), ...devDeps];
  const defaults = uv['default-groups'];
  manifest.defaultGroups = Array.isArray(defaults) ? strings(defaults) : defaults === 'all' ? Object.keys(manifest.groups).filter((g) => !manifest.extras.includes(g)) : manifest.groups['dev'] ? ['dev'] : [];
}

function readPoetry(poetry: Table, manifest: Manifest): void {
  const deps = table(poetry, 'dependencies') ?? {};
  const optional = new Set<string>();
  for (const [name, value] of Object.entries(deps)) {
    if (name.toLowerCase() === 'python') {
      const v = typeof value === 'string' ? value : isTable(value) && typeof value['version'] === 'string' ? value['version'] : undefined;
      if (v && !manifest.python) manifest.python = v;
      continue;
    }
    const req = poetryRequirement(name, value);
    if (!req) continue;
    if (isTable(value) && value['optional'] === true) optional.add(req.key);
    else manifest.requirements.push(req);
  }
  // Poetry extras name optional main dependencies; groups carry their own tables.
  const extras = table(poetry, 'extras') ?? {};
  for (const [extra, names] of Object.entries(extras)) {
    const wanted = new Set(strings(names).map(normalizeName));
    manifest.extras.push(extra);
    manifest.groups[extra] = Object.entries(deps)
      .map(([n, v]) => poetryRequirement(n, v))
      .filter((r): r is Requirement => r !== undefined && wanted.has(r.key) && optional.has(r.key));
  }
  const groups = table(poetry, 'group') ?? {};
  for (const [group, body] of Object.entries(groups)) {
    const gdeps = table(body, 'dependencies') ?? {};
    manifest.groups[group] = Object.entries(gdeps)
      .map(([n, v]) => poetryRequirement(n, v))
      .filter((r): r is Requirement => r !== undefined);
  }
  const devDeps = table(poetry, 'dev-dependencies');
  if (devDeps) {
    manifest.groups['dev'] = Object.entries(devDeps)
      .map(([n, v]) => poetryRequirement(n, v))
      .filter((r): r is Requirement => r !== undefined);
  }
  const sources = poetry['source'];
  if (Array.isArray(sources)) for (const s of sources) if (isTable(s) && typeof s['url'] === 'string') manifest.indexes.push(s['url']);
}

/** Poetry/Pipenv version syntax → a PEP 440-ish specifier: a bare `2.1.0` pins, `*` is unconstrained. */
function toolSpec(v: string): string {
  const s = v.trim().replace(/\s+/g, '');
  if (s === '' || s === '*') return '';
  return /^[0-9]/.test(s) ? `==${s}` : s;
}

function poetryRequirement(name: string, value: unknown): Requirement | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) return undefined;
  // A list of constraints (per platform or Python) → the first one is representative.
  const v = Array.isArray(value) ? value[0] : value;
  const base: Requirement = { name, key: normalizeName(name), extras: [], spec: '' };
  if (typeof v === 'string') return { ...base, spec: toolSpec(v) };
  if (!isTable(v)) return base;
  const extras = strings(v['extras']).map(normalizeName);
  const spec = typeof v['version'] === 'string' ? toolSpec(v['version']) : '';
  const url = ['url', 'git', 'path', 'file'].map((k) => v[k]).find((x): x is string => typeof x === 'string');
  return { ...base, extras, spec, ...(url ? { url } : {}) };
}

/** A `Pipfile` (TOML): `[packages]`, `[dev-packages]`, `[[source]]`, `[requires]`. */
export function readPipfile(path: string, text: string): Manifest {
  const { data, manifest } = readToml(path, 'pipenv', text);
  if (!data) return manifest;
  const read = (t: Table | undefined) =>
    Object.entries(t ?? {})
      .map(([n, v]) => poetryRequirement(n, v))
      .filter((r): r is Requirement => r !== undefined);
  manifest.requirements.push(...read(table(data, 'packages')));
  const dev = read(table(data, 'dev-packages'));
  if (dev.length > 0) manifest.groups['dev'] = dev;
  const requires = table(data, 'requires') ?? {};
  const py = requires['python_version'] ?? requires['python_full_version'];
  if (typeof py === 'string') manifest.python = py;
  const sources = data['source'];
  if (Array.isArray(sources)) for (const s of sources) if (isTable(s) && typeof s['url'] === 'string') manifest.indexes.push(s['url']);
  return manifest;
}

/** Conda package names whose PyPI name differs. */
const CONDA_TO_PYPI: Record<string, string> = {
  pytorch: 'torch',
  'pytorch-gpu': 'torch',
  'pytorch-cpu': 'torch',
  'py-xgboost': 'xgboost',
  'py-xgboost-gpu': 'xgboost',
  'py-lightgbm': 'lightgbm',
  'tensorflow-gpu': 'tensorflow',
};

/** One conda match spec (`pytorch=2.1.0=py3.10_cuda12.1*`, `conda-forge::numpy>=1.26`) as a requirement. */
export function parseCondaSpec(spec: string): (Requirement & { build?: string }) | undefined {
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$/.exec(spec.trim().replace(/^[^:\s]+::/, ''));
  if (!m) return undefined;
  const name = m[1]!;
  const rest = m[2]!.trim();
  let version = '';
  let build: string | undefined;
  if (/^[<>!~]|^==/.test(rest)) version = rest.replace(/\s+/g, '');
  else {
    // `=version=build` and `version build` both carry a build string second.
    const [v = '', b] = rest.replace(/^=/, '').split(/=|\s+/);
    build = b;
    // conda's `=2.1` means any 2.1.x; a full three-part version pins.
    if (v !== '' && v !== '*') version = v.includes('*') || v.split('.').length >= 3 ? `==${v}` : `==${v}.*`;
  }
  const key = normalizeName(CONDA_TO_PYPI[normalizeName(name)] ?? name);
  return { name, key, extras: [], spec: version, ...(build ? { build } : {}) };
}

/** A YAML file's top-level mapping; a parse error becomes one of the manifest's problems. */
function yamlTable(path: string, text: string, manifest: Manifest): Table | undefined {
  try {
    const data: unknown = parseYamlValue(text);
    return isTable(data) ? data : undefined;
  } catch (err) {
    manifest.problems.push(`${path} is not valid YAML (${(err as Error).message.split('\n')[0]}); fix it so its dependencies can be read.`);
    return undefined;
  }
}

/** A conda `environment.yml`: channels, conda dependencies and the nested `pip:` list. */
export function readEnvironmentYml(path: string, text: string): Manifest {
  const manifest = empty(path, 'conda');
  const data = yamlTable(path, text, manifest);
  if (!data) return manifest;
  if (typeof data['name'] === 'string') manifest.envName = data['name'];
  manifest.channels = strings(data['channels']);
  const deps = Array.isArray(data['dependencies']) ? data['dependencies'] : [];
  for (const d of deps) {
    if (typeof d === 'string') {
      const req = parseCondaSpec(d);
      if (!req) continue;
      if (req.key === 'python') {
        if (req.spec) {
          manifest.python = req.spec;
          manifest.pythonLine = lineWhere(text, (l) => /^\s*-\s*['"]?python\s*[=<>~!]/.test(l));
        }
        continue;
      }
      // pip in a conda environment is the installer of the `pip:` list, not a dependency.
      if (req.key === 'pip') continue;
      manifest.requirements.push(req);
    } else if (isTable(d) && Array.isArray(d['pip'])) {
      // conda runs pip for this list in the environment file's folder, so `-r` resolves from there.
      const pip = parseRequirementsFile(strings(d['pip']).join('\n'));
      manifest.requirements.push(...pip.requirements.map(({ line: _line, ...r }) => r));
      manifest.indexes.push(...pip.indexUrls, ...pip.extraIndexUrls);
      manifest.local.push(...pip.local);
      for (const entry of pip.local) {
        const at = lineWhere(text, (l) => l.includes(entry));
        if (at) manifest.localLines.push(at);
      }
      for (const inc of pip.includes) {
        const at = lineWhere(text, (l) => l.includes(inc.path) && /-[rc]\b|--(requirement|constraint)/.test(l));
        manifest.includes.push({ path: resolveInclude(path, inc.path), constraint: inc.constraint, line: at?.line ?? 1 });
      }
    }
  }
  return manifest;
}

/** A tiny INI reader for setup.cfg: sections, `key = value` / `key: value`, indented continuation lines. */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let section: Map<string, string> | undefined;
  let key: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(raw) || raw.trim() === '') {
      continue;
    }
    const head = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (head) {
      section = new Map();
      out.set(head[1]!.trim(), section);
      key = undefined;
      continue;
    }
    if (/^\s/.test(raw) && key && section) {
      section.set(key, `${section.get(key)}\n${raw.trim()}`);
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (kv && section) {
      key = kv[1]!.trim().toLowerCase();
      section.set(key, kv[2]!.trim());
    }
  }
  return out;
}

function cfgList(v: string | undefined): Requirement[] {
  return (v ?? '')
    .split(/[\n;]/)
    .map((l) => l.replace(/\s#.*$/, '').trim())
    .filter((l) => l !== '')
    .map((l) => parseRequirement(l))
    .filter((r): r is Requirement => r !== undefined);
}

/** A setuptools `setup.cfg`: `[options] install_requires`, `python_requires`, `[options.extras_require]`. */
export function readSetupCfg(path: string, text: string): Manifest | undefined {
  const manifest = empty(path, 'setup.cfg');
  const ini = parseIni(text);
  const options = ini.get('options');
  // A setup.cfg holding only tool settings ([flake8], [tool:pytest], [mypy]…) installs nothing.
  if (!ini.has('metadata') && !ini.has('options')) return undefined;
  manifest.installable = true;
  manifest.requirements.push(...cfgList(options?.get('install_requires')));
  const py = options?.get('python_requires');
  if (py) {
    manifest.python = py;
    manifest.pythonLine = lineWhere(text, (l) => /^\s*python_requires\s*[=:]/.test(l));
  }
  for (const [name, value] of ini.get('options.extras_require') ?? []) {
    manifest.groups[name] = cfgList(value);
    manifest.extras.push(name);
  }
  return manifest;
}

/** Which reader a project-relative path needs, if any. */
export function manifestKindOf(path: string): 'requirements' | 'pyproject' | 'conda' | 'pipenv' | 'setup.cfg' | 'setup.py' | 'python-env' | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (/^requirements[\w.-]*\.txt$/i.test(base)) return 'requirements';
  if (base === 'setup.py') return 'setup.py';
  if (base === 'python_env.yaml' || base === 'python_env.yml') return 'python-env';
  if (base === 'pyproject.toml') return 'pyproject';
  if (/^(environment|conda)\.ya?ml$/i.test(base)) return 'conda';
  if (base === 'Pipfile') return 'pipenv';
  if (base === 'setup.cfg') return 'setup.cfg';
  return undefined;
}

/** A setup.py, read statically (never run). */
export function readSetupPyManifest(path: string, text: string): Manifest {
  const manifest = empty(path, 'setup.py');
  const s = readSetupPy(text);
  manifest.installable = true;
  manifest.requirements = s.requirements;
  for (const [name, reqs] of Object.entries(s.extras)) {
    manifest.groups[name] = reqs;
    manifest.extras.push(name);
  }
  if (s.python) {
    manifest.python = s.python;
    manifest.pythonLine = lineWhere(text, (l) => /\bpython_requires\s*=/.test(l));
  }
  if (s.readsFile) {
    manifest.readsFile = resolveInclude(path, s.readsFile);
    manifest.includes.push({ path: manifest.readsFile, constraint: false, line: s.installLine ?? 1 });
  }
  manifest.problems.push(...s.problems);
  return manifest;
}

/** An MLflow `python_env.yaml`: `python:` and a pip-style `dependencies:` list. */
export function readPythonEnv(path: string, text: string): Manifest {
  const manifest = empty(path, 'requirements');
  const data = yamlTable(path, text, manifest);
  if (!data) return manifest;
  const py = data['python'];
  if (typeof py === 'string' || typeof py === 'number') {
    const m = /^(\d+)\.(\d+)/.exec(String(py));
    if (m) {
      manifest.python = `==${m[1]}.${m[2]}.*`;
      manifest.pythonLine = lineWhere(text, (l) => /^\s*python\s*:/.test(l));
    }
  }
  const pip = parseRequirementsFile(strings(data['dependencies']).join('\n'));
  manifest.requirements = pip.requirements.map(({ line: _line, ...r }) => r);
  manifest.indexes = [...pip.indexUrls, ...pip.extraIndexUrls];
  manifest.local = pip.local;
  for (const inc of pip.includes) {
    const at = lineWhere(text, (l) => l.includes(inc.path));
    manifest.includes.push({ path: resolveInclude(path, inc.path), constraint: inc.constraint, line: at?.line ?? 1 });
  }
  return manifest;
}

/** Gives every requirement without a line the first line of `text` that names it. */
function locate(m: Manifest, text: string): Manifest {
  const fill = (r: Requirement) => (r.line === undefined ? { ...r, ...(lineOfPackage(text, r.name) ? { line: lineOfPackage(text, r.name)!.line } : {}) } : r);
  m.requirements = m.requirements.map(fill);
  for (const g of Object.keys(m.groups)) m.groups[g] = m.groups[g]!.map(fill);
  return m;
}

/** Reads any supported manifest by its file name. */
export function readManifest(path: string, text: string): Manifest | undefined {
  const m = readManifestKind(path, text);
  return m ? locate(m, text) : undefined;
}

function readManifestKind(path: string, text: string): Manifest | undefined {
  switch (manifestKindOf(path)) {
    case 'setup.py':
      return readSetupPyManifest(path, text);
    case 'python-env':
      return readPythonEnv(path, text);
    case 'requirements':
      return readRequirementsTxt(path, text);
    case 'pyproject':
      return readPyproject(path, text);
    case 'conda':
      return readEnvironmentYml(path, text);
    case 'pipenv':
      return readPipfile(path, text);
    case 'setup.cfg':
      return readSetupCfg(path, text);
    case undefined:
      return undefined;
  }
}
