/** What a project needs from its dev container, read from file contents alone. */
import { parse as parseYamlValue } from 'yaml';
import { compareCuda, cudaOfIndex, cudaOfRequirement, FRAMEWORKS, frameworkOf, type CudaHint } from './frameworks';
import type { HostGpu } from './host-gpu';
import { readEnvironmentYml, readManifest, readPythonEnv, readRequirementsTxt, type Manifest, type ManifestKind } from './manifests';
import { pythonsWhere } from './markers';
import { ALWAYS_APT, APT_FOR_PACKAGE, moduleOf, PACKAGE_OF_MODULE } from './packages';
import { evidence, pickPython } from './pick-python';
import { PYTHON_VERSIONS } from './python';
import { pipelineResources } from './resources';
import { normalizeName, pinnedVersion, type Requirement } from './requirements';
import { choiceKindOf, choiceNameOf, isBaseName, stemOf, type ChoiceKind } from './variants';

/** How the Dockerfile installs dependencies: from which kind of manifest, or not at all. */
export type Installer = ManifestKind | 'none';

/** A line of a project file that decided something (`--explain` prints `file:line  text`). */
export interface Evidence {
  file: string;
  line: number;
  text: string;
}

/** A framework found among the dependencies. */
export interface DetectedFramework {
  id: string;
  /** The package that brings it in, as written. */
  package: string;
  /** The exact version pinned, without a local build label (`2.1.0` for `2.1.0+cu121`). */
  version?: string;
  /** The version specifier when it does not pin one version. */
  spec?: string;
  /** The CUDA release this build targets, when the manifest says. */
  cuda?: string;
  source: string;
  /** The optional group that brings it in, when only an optional group does. */
  group?: string;
  at?: Evidence;
}

export type GpuNeed = 'required' | 'optional' | 'none';

/** A CUDA or CPU-only hint, scoped to the optional group it comes with. */
export interface BuildHint {
  kind: 'cuda' | 'cpu';
  /** `X.Y` for CUDA hints. */
  version?: string;
  source: string;
  framework?: string;
  group?: string;
  at?: Evidence;
}

/** An optional set of dependencies the user may add: a variant, tooling, an extra, a group. */
export interface Choice {
  name: string;
  kind: ChoiceKind;
  /** The requirements file it installs, for requirements-file choices. */
  file?: string;
  /** The files the install layer copies when it is chosen (the file and what it includes beyond the base set). */
  files?: string[];
  at?: Evidence;
  /** The packages it adds, by name. */
  packages: string[];
  /** The requirements as written, for choices installed by name (a setup.py extra, the imports). */
  requirements?: string[];
}

/** Everything the generator bases its choices on; every field is plain JSON. */
export interface DetectedFacts {
  manifests: { path: string; kind: ManifestKind }[];
  /** Which manifest kind the Dockerfile installs from. */
  installer: Installer;
  /** The manifests (and files they include) the install layer copies, project-relative. */
  installFiles: string[];
  /** The files installed by default (requirements files of the base set, the conda file, the pyproject). */
  installRoots: string[];
  python: { version: string; source: string; constraint?: string; at?: Evidence; narrowed?: { why: string; at?: Evidence }[] };
  packages: { name: string; spec: string; source: string; line?: number; group?: string }[];
  frameworks: DetectedFramework[];
  /** The CUDA the default install names, if any. */
  cuda?: { version: string; source: string; at?: Evidence };
  /** Every CUDA and CPU-only hint, including those of optional groups. */
  hints: BuildHint[];
  /** Evidence that the project asks for CPU-only builds. */
  cpuOnly: string[];
  notebooks: string[];
  jupyter: boolean;
  mlflow: boolean;
  /** Optional dependency groups the install step can add (extras, dependency groups, requirements-file variants). */
  groups: string[];
  /** Which of `groups` are extras rather than dependency groups. */
  extras: string[];
  /** What each group is and where it comes from. */
  choices: Choice[];
  /** Groups the project's tool installs by default (uv's `dev`); the wizard starts with them ticked. */
  defaultGroups: string[];
  /** Entries that install the project's own code (`-e .`); they run after the workspace is mounted. */
  local: { entry: string; at: Evidence }[];
  /** The project itself can be installed in editable mode from the workspace (a build system or setup.py). */
  editable?: { at: Evidence };
  /** A manifest whose dependencies come with the editable install, listed into the image too (`-e .` + pyproject). */
  projectDeps?: { kind: 'pep621' | 'setup.cfg' | 'setup.py'; path: string; requirements: string[] };
  /** Debian packages the image needs, and why. */
  system: { apt: string; why: string; package?: string; group?: string; at?: Evidence }[];
  /** Modules the post-create check imports, with the package that provides each. */
  modules: { module: string; package: string; group?: string; at?: Evidence }[];
  /** The named conda environment the image creates. */
  conda?: { name: string; at?: Evidence };
  /** The largest request of any pipeline task: cpu in cores, memory in bytes, gpu in devices. */
  resources: { cpu?: number; memory?: number; gpu?: number; from: Record<string, string> };
  /** The pipeline line of each of those requests. */
  resourceLines?: Record<string, Evidence>;
  hostGpu?: HostGpu;
  /** What the project's own files say about a GPU (never this machine's GPU: see the plan's `auto` mode). */
  gpu: { need: GpuNeed; reasons: string[] };
  /** What was looked for and not found, in one sentence each, with the choices that remain. */
  notFound: string[];
  warnings: string[];
}

export interface DetectInput {
  /** Project-relative POSIX path → text, for manifests, lock files, `.python-version`, pipelines and notebooks. */
  files: ReadonlyMap<string, string>;
  /** Files detection wanted but did not read (project-relative path → why, e.g. "is 3.0 MB, over the 1.0 MB limit…"). */
  unread?: ReadonlyMap<string, string>;
  /** What `nvidia-smi` reported, when the user asked to look (`--gpu auto`). */
  hostGpu?: HostGpu;
}

/** Frameworks that can use a GPU; a host GPU alone does not make a scikit-learn project a CUDA one. */
export const GPU_CAPABLE = new Set(['torch', 'tensorflow', 'jax', 'keras', 'transformers', 'xgboost', 'catboost', 'lightgbm']);

/** The order in which the install step prefers manifests when a project has several. */
const INSTALLER_ORDER: ManifestKind[] = ['conda', 'poetry', 'uv', 'pipenv', 'requirements', 'pep621', 'setup.cfg', 'setup.py'];

const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** What detection looks for, for the "nothing found" message. */
export const LOOKED_FOR = 'requirements*.txt, requirements/**/*.txt, pyproject.toml, setup.py, setup.cfg, environment.yml, Pipfile, MLproject';

/** Where MLflow's MLproject points: its `python_env` or `conda_env` file. */
function mlproject(files: ReadonlyMap<string, string>): { pythonEnv?: string; condaEnv?: string } {
  const text = files.get('MLproject');
  if (text === undefined) return {};
  try {
    const data = parseYamlValue(text) as Record<string, unknown> | null;
    const s = (k: string) => (data && typeof data[k] === 'string' ? (data[k] as string).replace(/^\.\//, '') : undefined);
    return { ...(s('python_env') ? { pythonEnv: s('python_env')! } : {}), ...(s('conda_env') ? { condaEnv: s('conda_env')! } : {}) };
  } catch {
    return {};
  }
}

/** Reads the manifests the project keeps: at the root, under requirements/, and where MLproject points. */
function readManifests(files: ReadonlyMap<string, string>, paths: string[], warnings: string[]): Manifest[] {
  const ml = mlproject(files);
  const out: Manifest[] = [];
  for (const p of paths) {
    const text = files.get(p)!;
    let m: Manifest | undefined;
    if (p === ml.condaEnv) m = readEnvironmentYml(p, text);
    else if (p === ml.pythonEnv) m = readPythonEnv(p, text);
    else if (/^requirements\/.+\.txt$/.test(p)) m = readManifest(p, text) ?? readRequirementsTxt(p, text);
    else if (!p.includes('/')) m = readManifest(p, text);
    if (!m) continue;
    m.path = p;
    m.includes = m.includes.map((i) => ({ ...i }));
    warnings.push(...m.problems);
    // A pyproject.toml that only configures tools declares no dependencies.
    if ((m.kind === 'pep621' || m.kind === 'uv') && !/^\s*\[(project|dependency-groups|tool\.uv)\]/m.test(text)) continue;
    out.push(m);
  }
  // A pyproject next to uv.lock is a uv project even without a [tool.uv] table.
  if (files.has('uv.lock')) for (const m of out) if (m.kind === 'pep621' && m.path === 'pyproject.toml') m.kind = 'uv';
  return out;
}

/** A requirements file with every file it includes (`-r` recursively), and the constraint files (`-c`) it names. */
function closure(root: string, byPathMap: Map<string, Manifest>, files: ReadonlyMap<string, string>): { members: string[]; constraints: string[]; missing: { path: string; from: string; line: number }[] } {
  const members: string[] = [];
  const constraints: string[] = [];
  const missing: { path: string; from: string; line: number }[] = [];
  const visit = (p: string) => {
    if (members.includes(p)) return;
    members.push(p);
    const m = byPathMap.get(p) ?? (files.has(p) ? readRequirementsTxt(p, files.get(p)!) : undefined);
    if (!m) return;
    if (!byPathMap.has(p)) byPathMap.set(p, { ...m, path: p });
    for (const inc of m.includes) {
      if (!files.has(inc.path)) {
        missing.push({ path: inc.path, from: p, line: inc.line });
        continue;
      }
      if (inc.constraint) {
        if (!constraints.includes(inc.path)) constraints.push(inc.path);
      } else visit(inc.path);
    }
  };
  visit(root);
  return { members, constraints, missing };
}

/** Reads a project's files into the facts the generator needs. Pure: same input, same facts. */
export function detect(input: DetectInput): DetectedFacts {
  const files = input.files;
  const paths = [...files.keys()].sort(byPath);
  const warnings: string[] = [];
  for (const [p, why] of [...(input.unread ?? [])].sort(([a], [b]) => byPath(a, b))) {
    warnings.push(`${p} ${why}, so what it declares was not detected; shorten or split it, or add those dependencies to the generated files by hand.`);
  }
  const notFound: string[] = [];
  const manifests = readManifests(files, paths, warnings);
  const rankOf = (m: Manifest) => INSTALLER_ORDER.indexOf(m.kind);
  manifests.sort((a, b) => rankOf(a) - rankOf(b) || (a.path === 'requirements.txt' ? -1 : b.path === 'requirements.txt' ? 1 : byPath(a.path, b.path)));
  const installer = (manifests.length > 0 ? manifests[0]!.kind : 'none') as Installer;
  const byPathMap = new Map(manifests.map((m) => [m.path, m]));
  const ml = mlproject(files);

  // Which files install by default, which are choices, and what the install layer copies.
  const installRoots: string[] = [];
  const installFiles: string[] = [];
  const choices: Choice[] = [];
  const copy = (p: string) => {
    if (files.has(p) && !installFiles.includes(p)) installFiles.push(p);
  };
  const constraintFiles: string[] = [];
  const addClosure = (root: string) => {
    const c = closure(root, byPathMap, files);
    for (const p of c.members) copy(p);
    for (const p of c.constraints) {
      copy(p);
      constraintFiles.push(p);
    }
    for (const miss of c.missing) warnings.push(`${miss.from}:${miss.line} includes ${miss.path}, which is not in the project; the install step would fail, so add the file or fix the line.`);
    return c.members;
  };
  const chosenKind = manifests.filter((m) => m.kind === installer);
  let baseMembers: string[] = [];
  if (installer === 'requirements') {
    const reqFiles = chosenKind.filter((m) => m.path !== ml.pythonEnv);
    const pythonEnv = ml.pythonEnv ? byPathMap.get(ml.pythonEnv) : undefined;
    let roots: string[];
    if (pythonEnv && pythonEnv.includes.length > 0) roots = pythonEnv.includes.filter((i) => !i.constraint).map((i) => i.path);
    else if (byPathMap.has('requirements.txt')) roots = ['requirements.txt'];
    else {
      const base = reqFiles.filter((m) => /^requirements\/[^/]+$/.test(m.path) && isBaseName(stemOf(m.path)));
      const plain = reqFiles.filter((m) => choiceKindOf(choiceNameOf(m.path)) === 'other');
      roots = base.length > 0 ? [base[0]!.path] : plain.length === 1 ? [plain[0]!.path] : [];
    }
    for (const r of roots) {
      if (!files.has(r)) continue;
      installRoots.push(r);
      baseMembers.push(...addClosure(r));
    }
    if (pythonEnv) copy(pythonEnv.path);
    for (const m of reqFiles) {
      if (baseMembers.includes(m.path)) continue;
      const name = choiceNameOf(m.path);
      choices.push({ name, kind: choiceKindOf(name), file: m.path, packages: m.requirements.map((r) => r.name) });
    }
    if (installRoots.length === 0 && choices.length > 0) {
      notFound.push(
        `No base requirements file was found (requirements.txt or requirements/base.txt), so nothing is installed by default; choose one of ${choices.map((c) => c.name).join(', ')} (--extra NAME or the wizard).`,
      );
    }
  } else if (installer !== 'none') {
    const main = chosenKind[0]!;
    installRoots.push(main.path);
    copy(main.path);
    // conda's pip section and setup.py's requirements file are copied with their includes.
    for (const inc of main.includes) {
      if (!files.has(inc.path)) {
        warnings.push(`${main.path}:${inc.line} includes ${inc.path}, which is not in the project; the install step would fail, so add the file or fix the line.`);
        continue;
      }
      baseMembers.push(...addClosure(inc.path));
    }
    if (installer === 'poetry') copy('poetry.lock');
    if (installer === 'pipenv') copy('Pipfile.lock');
    if (installer === 'uv') copy('uv.lock');
    baseMembers = [main.path, ...baseMembers];
  }

  // Packages, frameworks and build hints of the default install, then of each choice.
  const packages: DetectedFacts['packages'] = [];
  const frameworks: DetectedFramework[] = [];
  const hints: BuildHint[] = [];
  const seen = new Set<string>();
  const constraints = new Map<string, { spec: string; source: string; line?: number }>();
  for (const c of constraintFiles)
    for (const r of byPathMap.get(c)?.requirements ?? readRequirementsTxt(c, files.get(c)!).requirements) constraints.set(r.key, { spec: r.spec, source: c, ...(r.line ? { line: r.line } : {}) });
  const consider = (req: Requirement & { build?: string }, source: string, group?: string) => {
    // A requirement only for another platform (`; sys_platform == "darwin"`) is not installed here.
    if (req.marker && pythonsWhere(req.marker, PYTHON_VERSIONS).length === 0) return;
    const at = evidence(files, source, req.line);
    const hint = cudaOfRequirement(req, source);
    if (hint.cuda) hints.push(buildHint('cuda', hint.cuda, group, at));
    if (hint.cpu) hints.push({ kind: 'cpu', source: hint.cpu, ...(group ? { group } : {}), ...(at ? { at } : {}) });
    if (seen.has(req.key)) return;
    seen.add(req.key);
    packages.push({ name: req.name, spec: req.spec, source, ...(req.line ? { line: req.line } : {}), ...(group ? { group } : {}) });
    const fw = frameworkOf(req.key);
    if (fw && !frameworks.some((f) => f.id === fw)) {
      const constrained = !pinnedVersion(req.spec) ? constraints.get(req.key) : undefined;
      const spec = constrained ? `${req.spec}${req.spec && constrained.spec ? ',' : ''}${constrained.spec}` : req.spec;
      const pin = pinnedVersion(spec);
      const version = pin && !pin.includes('*') ? pin.replace(/\+.*$/, '') : undefined;
      frameworks.push({ id: fw, package: req.name, ...(version ? { version } : spec ? { spec } : {}), source, ...(group ? { group } : {}), ...(at ? { at } : {}) });
    }
  };
  const indexHints = (m: Manifest, group?: string) => {
    for (const url of m.indexes) {
      const h = cudaOfIndex(url, m.path);
      const at = m.indexLines[url] ? evidence(files, m.path, m.indexLines[url]!.line) : undefined;
      if (h.cuda) hints.push(buildHint('cuda', h.cuda, group, at));
      if (h.cpu) hints.push({ kind: 'cpu', source: h.cpu, ...(group ? { group } : {}), ...(at ? { at } : {}) });
    }
  };
  const baseManifests = baseMembers.map((p) => byPathMap.get(p)).filter((m): m is Manifest => m !== undefined);
  if (ml.pythonEnv && byPathMap.get(ml.pythonEnv) && installer === 'requirements') baseManifests.push(byPathMap.get(ml.pythonEnv)!);
  for (const m of baseManifests) {
    for (const r of m.requirements) consider(r, m.path);
    indexHints(m);
  }
  // Requirements-file choices: their own closure, scoped to the choice.
  for (const c of choices) {
    if (!c.file) continue;
    const cl = closure(c.file, byPathMap, files);
    const members = cl.members.filter((p) => !baseMembers.includes(p));
    c.files = [...members, ...cl.constraints.filter((p) => !installFiles.includes(p))];
    for (const p of members) {
      const m = byPathMap.get(p);
      if (!m) continue;
      for (const r of m.requirements) consider(r, p, c.name);
      indexHints(m, c.name);
    }
  }
  // Extras and dependency groups of the chosen manifest.
  const main = installer !== 'requirements' && installer !== 'none' ? chosenKind[0] : undefined;
  const extras: string[] = [];
  if (main) {
    for (const [group, reqs] of Object.entries(main.groups)) {
      const isExtra = main.extras.includes(group);
      if (isExtra) extras.push(group);
      const kind = choiceKindOf(group);
      // The line that defines the group (`cu124 = [...]`, `[tool.poetry.group.dev…]`), else its first requirement's.
      const esc = group.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const defLine = (files.get(main.path) ?? '').split(/\r?\n/).findIndex((l) => new RegExp(`^\\s*["']?${esc}["']?\\s*[=:]|^\\s*\\[tool\\.poetry\\.group\\.${esc}[.\\]]`).test(l));
      const firstLine = defLine >= 0 ? defLine + 1 : reqs.find((r) => r.line)?.line;
      choices.push({
        name: group,
        kind: kind === 'other' ? (isExtra ? 'extra' : 'group') : kind,
        ...(evidence(files, main.path, firstLine) ? { at: evidence(files, main.path, firstLine)! } : {}),
        packages: reqs.map((r) => r.name),
        ...(installer === 'setup.py' ? { requirements: reqs.map(requirementText) } : {}),
      });
      for (const r of reqs) consider(r, main.path, group);
      const ix = main.groupIndexes[group];
      if (ix) {
        const h = cudaOfIndex(ix.url, main.path);
        const at = ix.line ? evidence(files, main.path, ix.line.line) : undefined;
        if (h.cuda) hints.push(buildHint('cuda', h.cuda, group, at));
        if (h.cpu) hints.push({ kind: 'cpu', source: h.cpu, group, ...(at ? { at } : {}) });
      }
    }
  }

  // The project's own code: `-e .` lines, and whether the project itself is installable.
  const local: DetectedFacts['local'] = [];
  for (const m of baseManifests) {
    m.local.forEach((entry, i) => {
      const line = m.localLines[i]?.line;
      local.push({ entry, at: evidence(files, m.path, line) ?? { file: m.path, line: line ?? 1, text: entry } });
    });
  }
  const rootProject = ['pyproject.toml', 'setup.py', 'setup.cfg'].map((p) => (files.has(p) ? (byPathMap.get(p) ?? readManifest(p, files.get(p)!)) : undefined)).find((m) => m?.installable);
  let editable: DetectedFacts['editable'];
  let projectDeps: DetectedFacts['projectDeps'];
  const rootLocal = local.find((l) => /^(-e\s+|--editable[=\s]+)?\.(\[[^\]]*\])?\/?$/.test(l.entry.trim()));
  if (rootProject && (rootLocal || installer === rootProject.kind || (installer === 'uv' && rootProject.path === 'pyproject.toml'))) {
    const at = rootLocal?.at ?? evidence(files, rootProject.path, buildLine(files.get(rootProject.path)!, rootProject.kind)) ?? { file: rootProject.path, line: 1, text: '' };
    editable = { at };
    // `-e .` in a requirements file: the project's own dependencies belong in the image as well.
    if (rootLocal && installer !== rootProject.kind && rootProject.requirements.length > 0) {
      const kind = rootProject.kind === 'uv' || rootProject.kind === 'poetry' ? 'pep621' : rootProject.kind;
      if (kind === 'pep621' || kind === 'setup.cfg' || kind === 'setup.py') {
        projectDeps = { kind, path: rootProject.path, requirements: rootProject.requirements.map(requirementText) };
        copy(rootProject.path);
        for (const r of rootProject.requirements) consider(r, rootProject.path);
      }
    }
  }
  // A setup.py installer: its literal install_requires are written into the Dockerfile.
  if (installer === 'setup.py' && main) projectDeps = { kind: 'setup.py', path: main.path, requirements: main.requirements.map(requirementText) };
  const localOthers = local.filter((l) => l !== rootLocal);
  if (localOthers.length > 0) {
    warnings.push(
      `${localOthers.map((l) => `${l.at.file}:${l.at.line}`).join(', ')} install local code (${localOthers.map((l) => l.entry).join(', ')}); the image installs the other dependencies and postCreateCommand installs these from the mounted workspace.`,
    );
  }

  // Notebooks and scripts that import packages no manifest lists: offered, never installed silently.
  const notebooks = paths.filter((p) => p.endsWith('.ipynb') && !p.includes('.ipynb_checkpoints/'));
  const imported = importsOf(files, paths);
  const missing = [...imported.entries()].filter(([pkg]) => !seen.has(pkg)).sort(([a], [b]) => byPath(a, b));
  if (missing.length > 0) {
    choices.push({ name: 'imports', kind: 'imports', ...(missing[0]![1] ? { at: missing[0]![1] } : {}), packages: missing.map(([p]) => p) });
    for (const [pkg, at] of missing) consider({ name: pkg, key: pkg, extras: [], spec: '', ...(at ? { line: at.line } : {}) }, at?.file ?? 'imports', 'imports');
  }
  if (installer === 'none') {
    notFound.push(
      `No dependency manifest was found (looked for ${LOOKED_FOR}); the image gets Python only${missing.length ? `. The code imports ${missing.map(([p]) => p).join(', ')}: add them with --extra imports (or tick "imports" in the wizard), or write a requirements.txt` : '; add a requirements.txt or pyproject.toml to install dependencies'}.`,
    );
  } else if (installRoots.length > 0 && packages.filter((p) => !p.group).length === 0 && local.length === 0 && !projectDeps?.requirements.length) {
    notFound.push(
      `${installRoots.join(', ')} ${installRoots.length === 1 ? 'lists' : 'list'} no dependencies, so the image installs none${missing.length ? `. The code imports ${missing.map(([p]) => p).join(', ')}: add them with --extra imports (or tick "imports" in the wizard)` : ''}.`,
    );
  }

  for (const f of frameworks) {
    const h = hints.find((c) => c.kind === 'cuda' && c.framework === f.id && (c.group === f.group || !c.group));
    if (h) f.cuda = h.version;
  }
  frameworks.sort((a, b) => FRAMEWORKS.findIndex((x) => x.id === a.id) - FRAMEWORKS.findIndex((x) => x.id === b.id));
  const baseHints = hints.filter((h) => !h.group);
  const cudaHints = baseHints.filter((h) => h.kind === 'cuda').sort((a, b) => compareCuda(b.version!, a.version!));
  const cuda = cudaHints[0] ? { version: cudaHints[0].version!, source: cudaHints[0].source, ...(cudaHints[0].at ? { at: cudaHints[0].at } : {}) } : undefined;
  const majors = new Set(cudaHints.map((h) => h.version!.split('.')[0]));
  if (majors.size > 1) warnings.push(`The dependencies name CUDA ${[...new Set(cudaHints.map((h) => h.version))].join(' and ')}; the image uses ${cuda!.version}, so align the others with it.`);
  const cpuOnly = baseHints.filter((h) => h.kind === 'cpu').map((h) => h.source);

  const keys = new Set(packages.filter((p) => !p.group).map((p) => normalizeName(p.name)));
  const jupyter = notebooks.length > 0 || ['jupyterlab', 'notebook', 'jupyter'].some((k) => keys.has(k));
  const mlflow = keys.has('mlflow') || keys.has('mlflow-skinny') || files.has('MLproject');
  const rLines: Record<string, { file: string; line: number }> = {};
  const resources = pipelineResources(files, paths, rLines);
  const resourceLines = Object.fromEntries(
    Object.entries(rLines)
      .map(([k, l]) => [k, evidence(files, l.file, l.line)!])
      .filter(([, e]) => e),
  );
  const python = pickPython(files, manifests, installer, baseManifests, ml.pythonEnv, warnings);

  const groups = [...new Set(choices.map((c) => c.name))].sort(byPath);
  const conda =
    installer === 'conda' ? { name: condaName(main!), ...(evidence(files, main!.path, nameLine(files.get(main!.path)!)) ? { at: evidence(files, main!.path, nameLine(files.get(main!.path)!))! } : {}) } : undefined;
  const gpu = projectGpuNeed(resources, cuda);

  return {
    manifests: manifests.map((m) => ({ path: m.path, kind: m.kind })),
    installer,
    installFiles,
    installRoots,
    python,
    packages,
    frameworks,
    ...(cuda ? { cuda } : {}),
    hints,
    cpuOnly,
    notebooks,
    jupyter,
    mlflow,
    groups,
    extras: extras.sort(byPath),
    choices: choices.sort((a, b) => byPath(a.name, b.name)),
    defaultGroups: main?.defaultGroups.filter((g) => groups.includes(g)) ?? [],
    local,
    ...(editable ? { editable } : {}),
    ...(projectDeps ? { projectDeps } : {}),
    system: systemPackages(packages, files),
    modules: checkModules(packages, frameworks, files),
    ...(conda ? { conda } : {}),
    resources,
    ...(Object.keys(resourceLines).length ? { resourceLines } : {}),
    ...(input.hostGpu ? { hostGpu: input.hostGpu } : {}),
    gpu,
    notFound,
    warnings,
  };
}

function buildHint(kind: 'cuda', h: CudaHint, group: string | undefined, at: Evidence | undefined): BuildHint {
  return { kind, version: h.version, source: h.source, ...(h.framework ? { framework: h.framework } : {}), ...(group ? { group } : {}), ...(at ? { at } : {}) };
}

/** A requirement as a pip argument. */
export function requirementText(r: Requirement): string {
  return `${r.name}${r.extras.length ? `[${r.extras.join(',')}]` : ''}${r.url ? ` @ ${r.url}` : r.spec}${r.marker ? `; ${r.marker}` : ''}`;
}

/** The line that makes a manifest's project installable: `[build-system]`, `setup(`, `[options]`. */
function buildLine(text: string, kind: ManifestKind): number | undefined {
  const re = kind === 'setup.py' ? /\bsetup\s*\(/ : kind === 'setup.cfg' ? /^\s*\[(options|metadata)\]/ : /^\s*\[build-system\]/;
  const i = text.split(/\r?\n/).findIndex((l) => re.test(l));
  return i >= 0 ? i + 1 : undefined;
}

function condaName(m: Manifest): string {
  const raw = m.envName ?? 'project';
  // conda refuses some characters in names; keep it a plain token (it is also a path).
  return raw.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+/, '') || 'project';
}

function nameLine(text: string): number | undefined {
  const i = text.split(/\r?\n/).findIndex((l) => /^name\s*:/.test(l));
  return i >= 0 ? i + 1 : undefined;
}

/** Imports of well-known packages in notebooks and top-level scripts: package → the first line importing it. */
function importsOf(files: ReadonlyMap<string, string>, paths: string[]): Map<string, Evidence | undefined> {
  const out = new Map<string, Evidence | undefined>();
  for (const p of paths) {
    const text = files.get(p) ?? '';
    if (text === '' || !(p.endsWith('.ipynb') || p.endsWith('.py'))) continue;
    let lines: { text: string; line?: number }[];
    if (p.endsWith('.ipynb')) {
      try {
        const nb = JSON.parse(text) as { cells?: { cell_type?: string; source?: string | string[] }[] };
        lines = (nb.cells ?? []).filter((c) => c.cell_type === 'code').flatMap((c) => (Array.isArray(c.source) ? c.source.join('') : (c.source ?? '')).split('\n').map((t) => ({ text: t })));
      } catch {
        continue;
      }
    } else lines = text.split(/\r?\n/).map((t, i) => ({ text: t, line: i + 1 }));
    for (const l of lines) {
      const m = /^\s*(?:import|from)\s+([A-Za-z_]\w*)/.exec(l.text);
      const pkg = m ? PACKAGE_OF_MODULE[m[1]!] : undefined;
      if (!pkg || out.has(pkg)) continue;
      out.set(pkg, { file: p, line: l.line ?? 1, text: l.text.trim() });
    }
  }
  return out;
}

/** The Debian packages the image needs: git and certificates always, then the table's rows for the packages installed. */
function systemPackages(packages: DetectedFacts['packages'], files: ReadonlyMap<string, string>): DetectedFacts['system'] {
  const out: DetectedFacts['system'] = ALWAYS_APT.map((a) => ({ apt: a.apt, why: a.why }));
  for (const p of packages) {
    const row = APT_FOR_PACKAGE[normalizeName(p.name)];
    if (!row) continue;
    const at = evidence(files, p.source, p.line);
    for (const apt of row.apt) {
      if (out.some((o) => o.apt === apt && (!o.group || o.group === p.group))) continue;
      out.push({ apt, why: `${p.name}: ${row.why}`, package: p.name, ...(p.group ? { group: p.group } : {}), ...(at ? { at } : {}) });
    }
  }
  return out;
}

/** The modules the post-create check imports: every framework and every package of the table whose module is known. */
function checkModules(packages: DetectedFacts['packages'], frameworks: DetectedFramework[], files: ReadonlyMap<string, string>): DetectedFacts['modules'] {
  const out: DetectedFacts['modules'] = [];
  const add = (module: string, pkg: string, group: string | undefined, at: Evidence | undefined) => {
    if (out.some((m) => m.module === module)) return;
    out.push({ module, package: pkg, ...(group ? { group } : {}), ...(at ? { at } : {}) });
  };
  for (const f of frameworks) add(FRAMEWORKS.find((x) => x.id === f.id)!.module, f.package, f.group, f.at);
  for (const p of packages) {
    const mod = moduleOf(normalizeName(p.name));
    if (mod) add(mod, p.name, p.group, evidence(files, p.source, p.line));
  }
  return out;
}

/** The GPU need the project's own files state: a pipeline task that asks for GPUs, or a CUDA build among the dependencies. */
function projectGpuNeed(resources: DetectedFacts['resources'], cuda: DetectedFacts['cuda']): DetectedFacts['gpu'] {
  if ((resources.gpu ?? 0) > 0) {
    return { need: 'required', reasons: [`${resources.from['gpu']} requests ${resources.gpu} GPU${resources.gpu === 1 ? '' : 's'}`] };
  }
  if (cuda) return { need: 'optional', reasons: [`${cuda.source} is a CUDA ${cuda.version} build`] };
  return { need: 'none', reasons: [] };
}
