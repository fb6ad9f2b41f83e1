/** Readers for the dependency manifests Python projects keep: what they require and which Python. */
import { parse as parseToml } from 'smol-toml';
import { parse as parseYamlValue } from 'yaml';
import { normalizeName, parseRequirement, parseRequirementsFile, type Requirement } from './requirements';

export type ManifestKind = 'requirements' | 'pep621' | 'poetry' | 'conda' | 'pipenv' | 'setup.cfg';

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
  /** Why the file could not be read completely, in one sentence each. */
  problems: string[];
}

function empty(path: string, kind: ManifestKind): Manifest {
  return { path, kind, requirements: [], groups: {}, extras: [], indexes: [], channels: [], local: [], problems: [] };
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
  return { ...empty(path, 'requirements'), requirements: f.requirements, indexes: [...f.indexUrls, ...f.extraIndexUrls], local: f.local };
}

/** True when a pyproject.toml is managed by Poetry (its `[tool.poetry]` table is present). */
export function isPoetryProject(text: string): boolean {
  return /^\s*\[tool\.poetry[\].]/m.test(text);
}

/** A `pyproject.toml`: PEP 621 `[project]`, PEP 735 `[dependency-groups]`, and Poetry's `[tool.poetry]`. */
export function readPyproject(path: string, text: string): Manifest {
  const { data, manifest } = readToml(path, isPoetryProject(text) ? 'poetry' : 'pep621', text);
  if (!data) return manifest;
  const project = table(data, 'project');
  if (project) {
    manifest.requirements.push(...pep508List(project['dependencies']));
    if (typeof project['requires-python'] === 'string') manifest.python = project['requires-python'];
    const optional = table(project, 'optional-dependencies') ?? {};
    for (const [name, deps] of Object.entries(optional)) manifest.groups[name] = pep508List(deps);
    manifest.extras.push(...Object.keys(optional));
  }
  const groups = table(data, 'dependency-groups') ?? {};
  for (const [name, deps] of Object.entries(groups)) manifest.groups[name] = pep508List(deps);
  const poetry = table(data, 'tool', 'poetry');
  if (poetry) readPoetry(poetry, manifest);
  return manifest;
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

/** A conda `environment.yml`: channels, conda dependencies and the nested `pip:` list. */
export function readEnvironmentYml(path: string, text: string): Manifest {
  const manifest = empty(path, 'conda');
  let data: unknown;
  try {
    data = parseYamlValue(text);
  } catch (err) {
    manifest.problems.push(`${path} is not valid YAML (${(err as Error).message.split('\n')[0]}); fix it so its dependencies can be read.`);
    return manifest;
  }
  if (!isTable(data)) return manifest;
  manifest.channels = strings(data['channels']);
  const deps = Array.isArray(data['dependencies']) ? data['dependencies'] : [];
  for (const d of deps) {
    if (typeof d === 'string') {
      const req = parseCondaSpec(d);
      if (!req) continue;
      if (req.key === 'python') {
        if (req.spec) manifest.python = req.spec;
        continue;
      }
      // pip in a conda environment is the installer of the `pip:` list, not a dependency.
      if (req.key === 'pip') continue;
      manifest.requirements.push(req);
    } else if (isTable(d) && Array.isArray(d['pip'])) {
      const pip = parseRequirementsFile(strings(d['pip']).join('\n'));
      manifest.requirements.push(...pip.requirements);
      manifest.indexes.push(...pip.indexUrls, ...pip.extraIndexUrls);
      manifest.local.push(...pip.local);
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
export function readSetupCfg(path: string, text: string): Manifest {
  const manifest = empty(path, 'setup.cfg');
  const ini = parseIni(text);
  const options = ini.get('options');
  manifest.requirements.push(...cfgList(options?.get('install_requires')));
  const py = options?.get('python_requires');
  if (py) manifest.python = py;
  for (const [name, value] of ini.get('options.extras_require') ?? []) {
    manifest.groups[name] = cfgList(value);
    manifest.extras.push(name);
  }
  return manifest;
}

/** Which reader a project-relative path needs, if any. */
export function manifestKindOf(path: string): 'requirements' | 'pyproject' | 'conda' | 'pipenv' | 'setup.cfg' | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (/^requirements[\w.-]*\.txt$/i.test(base)) return 'requirements';
  if (base === 'pyproject.toml') return 'pyproject';
  if (/^(environment|conda)\.ya?ml$/i.test(base)) return 'conda';
  if (base === 'Pipfile') return 'pipenv';
  if (base === 'setup.cfg') return 'setup.cfg';
  return undefined;
}

/** Reads any supported manifest by its file name. */
export function readManifest(path: string, text: string): Manifest | undefined {
  switch (manifestKindOf(path)) {
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
