/** What a project needs from its dev container, read from file contents alone. */
import { Workspace, documentKind } from '../workspace';
import { effectiveResources } from '../pipeline/load';
import { parseQuantity } from '../util/values';
import { compareCuda, cudaOfIndex, cudaOfRequirement, FRAMEWORKS, frameworkOf, type CudaHint } from './frameworks';
import type { HostGpu } from './host-gpu';
import { readManifest, type Manifest, type ManifestKind } from './manifests';
import { admits, choosePython, readPythonVersionFile } from './python';
import { pinnedVersion, type Requirement } from './requirements';

/** How the Dockerfile installs dependencies: from which kind of manifest, or not at all. */
export type Installer = ManifestKind | 'none';

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
}

export type GpuNeed = 'required' | 'optional' | 'none';

/** Everything the generator bases its choices on; every field is plain JSON. */
export interface DetectedFacts {
  manifests: { path: string; kind: ManifestKind }[];
  /** Which manifest kind the Dockerfile installs from. */
  installer: Installer;
  /** The manifests (and files they include) the install layer copies, project-relative. */
  installFiles: string[];
  python: { version: string; source: string; constraint?: string };
  packages: { name: string; spec: string; source: string }[];
  frameworks: DetectedFramework[];
  cuda?: { version: string; source: string };
  /** Evidence that the project asks for CPU-only builds. */
  cpuOnly: string[];
  notebooks: string[];
  jupyter: boolean;
  mlflow: boolean;
  /** Optional dependency groups the install step can add (extras, dependency groups). */
  groups: string[];
  /** Which of `groups` are extras rather than dependency groups. */
  extras: string[];
  /** The largest request of any pipeline task: cpu in cores, memory in bytes, gpu in devices. */
  resources: { cpu?: number; memory?: number; gpu?: number; from: Record<string, string> };
  hostGpu?: HostGpu;
  gpu: { need: GpuNeed; reasons: string[] };
  warnings: string[];
}

export interface DetectInput {
  /** Project-relative POSIX path → text, for manifests, `.python-version`, pipelines and notebooks (their text may be empty). */
  files: ReadonlyMap<string, string>;
  /** Files detection wanted but did not read (project-relative path → why, e.g. "is 3.0 MB, over the 1.0 MB limit…"). */
  unread?: ReadonlyMap<string, string>;
  /** What `nvidia-smi` reported, or undefined when it is absent or failed. */
  hostGpu?: HostGpu;
}

/** Frameworks that can use a GPU; a host GPU alone does not make a scikit-learn project a CUDA one. */
const GPU_CAPABLE = new Set(['torch', 'tensorflow', 'jax', 'keras', 'transformers', 'xgboost', 'catboost', 'lightgbm']);

/** The order in which the install step prefers manifests when a project has several. */
const INSTALLER_ORDER: ManifestKind[] = ['conda', 'poetry', 'pipenv', 'requirements', 'pep621', 'setup.cfg'];

const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Reads a project's files into the facts the generator needs. Pure: same input, same facts. */
export function detect(input: DetectInput): DetectedFacts {
  const paths = [...input.files.keys()].sort(byPath);
  const warnings: string[] = [];
  for (const [p, why] of [...(input.unread ?? [])].sort(([a], [b]) => byPath(a, b))) {
    warnings.push(`${p} ${why}, so what it declares was not detected; shorten or split it, or add those dependencies to the generated files by hand.`);
  }
  const manifests: Manifest[] = [];
  for (const p of paths) {
    // Manifests count at the project root, and requirements files also in a requirements/ folder.
    if (p.includes('/') && !/^requirements\/[^/]+\.txt$/.test(p)) continue;
    const m = readManifest(p, input.files.get(p)!) ?? (p.startsWith('requirements/') ? readManifest(`requirements-${p.slice(13)}`, input.files.get(p)!) : undefined);
    if (!m) continue;
    m.path = p;
    warnings.push(...m.problems);
    // A pyproject.toml that only configures tools declares no dependencies.
    if (m.kind === 'pep621' && !/^\s*\[(project|dependency-groups)\]/m.test(input.files.get(p)!)) continue;
    manifests.push(m);
  }
  manifests.sort((a, b) => rank(a) - rank(b) || byPath(a.path, b.path));

  const packages: DetectedFacts['packages'] = [];
  const seen = new Set<string>();
  const frameworks: DetectedFramework[] = [];
  const cudaHints: CudaHint[] = [];
  const cpuOnly: string[] = [];
  const consider = (req: Requirement & { build?: string }, source: string, group?: string) => {
    const hint = cudaOfRequirement(req, source);
    if (hint.cuda) cudaHints.push(hint.cuda);
    if (hint.cpu) cpuOnly.push(hint.cpu);
    if (seen.has(req.key)) return;
    seen.add(req.key);
    packages.push({ name: req.name, spec: req.spec, source });
    const fw = frameworkOf(req.key);
    if (fw && !frameworks.some((f) => f.id === fw)) {
      const pin = pinnedVersion(req.spec);
      const version = pin && !pin.includes('*') ? pin.replace(/\+.*$/, '') : undefined;
      frameworks.push({ id: fw, package: req.name, ...(version ? { version } : req.spec ? { spec: req.spec } : {}), source, ...(group ? { group } : {}) });
    }
  };
  for (const m of manifests) {
    for (const r of m.requirements) consider(r, m.path);
    for (const url of m.indexes) {
      const hint = cudaOfIndex(url, m.path);
      if (hint.cuda) cudaHints.push(hint.cuda);
      if (hint.cpu) cpuOnly.push(hint.cpu);
    }
    if (m.local.length > 0) {
      warnings.push(`${m.path} installs local code (${m.local.join(', ')}); the image installs only the other dependencies, so run that install inside the container.`);
    }
  }
  // Optional groups count for framework detection only when nothing else names the framework.
  for (const m of manifests) for (const [group, reqs] of Object.entries(m.groups)) for (const r of reqs) consider(r, m.path, group);

  // Attach each framework's own CUDA hint; the image follows the newest release any hint names.
  for (const f of frameworks) {
    const h = cudaHints.find((c) => c.framework === f.id);
    if (h) f.cuda = h.version;
  }
  frameworks.sort((a, b) => FRAMEWORKS.findIndex((x) => x.id === a.id) - FRAMEWORKS.findIndex((x) => x.id === b.id));
  const sortedHints = [...cudaHints].sort((a, b) => compareCuda(b.version, a.version));
  const cuda = sortedHints[0] ? { version: sortedHints[0].version, source: sortedHints[0].source } : undefined;
  const majors = new Set(cudaHints.map((h) => h.version.split('.')[0]));
  if (majors.size > 1) warnings.push(`The dependencies name CUDA ${[...new Set(cudaHints.map((h) => h.version))].join(' and ')}; the image uses ${cuda!.version}, so align the others with it.`);

  const python = pickPython(input.files, manifests, warnings);
  const notebooks = paths.filter((p) => p.endsWith('.ipynb') && !p.includes('.ipynb_checkpoints/'));
  const keys = new Set(packages.map((p) => p.name.toLowerCase().replace(/[-_.]+/g, '-')));
  const jupyter = notebooks.length > 0 || ['jupyterlab', 'notebook', 'jupyter'].some((k) => keys.has(k));
  const mlflow = keys.has('mlflow') || keys.has('mlflow-skinny') || input.files.has('MLproject');
  const resources = pipelineResources(input.files, paths);

  const installer: Installer = manifests[0]?.kind ?? 'none';
  const installFiles = installFilesOf(manifests, installer, input.files);
  const chosen = manifests.filter((m) => m.kind === installer);
  const groups = [...new Set(chosen.flatMap((m) => Object.keys(m.groups)))].sort(byPath);
  const extras = [...new Set(chosen.flatMap((m) => m.extras))].sort(byPath);

  const gpu = gpuNeed({ resources, cuda, cpuOnly, frameworks, hostGpu: input.hostGpu });
  if (input.hostGpu?.cuda && cuda && compareCuda(input.hostGpu.cuda, cuda.version) < 0) {
    warnings.push(`The host driver supports CUDA up to ${input.hostGpu.cuda} but the project targets ${cuda.version}; update the NVIDIA driver or pin a build for CUDA ${input.hostGpu.cuda}.`);
  }

  return {
    manifests: manifests.map((m) => ({ path: m.path, kind: m.kind })),
    installer,
    installFiles,
    python,
    packages,
    frameworks,
    ...(cuda ? { cuda } : {}),
    cpuOnly,
    notebooks,
    jupyter,
    mlflow,
    groups,
    extras,
    resources,
    ...(input.hostGpu ? { hostGpu: input.hostGpu } : {}),
    gpu,
    warnings,
  };
}

function rank(m: Manifest): number {
  // requirements.txt itself is installed before requirements-dev.txt and friends.
  return INSTALLER_ORDER.indexOf(m.kind) * 2 + (m.kind === 'requirements' && m.path !== 'requirements.txt' ? 1 : 0);
}

function pickPython(files: ReadonlyMap<string, string>, manifests: Manifest[], warnings: string[]): DetectedFacts['python'] {
  const constrained = manifests.find((m) => m.python);
  const pinned = files.has('.python-version') ? readPythonVersionFile(files.get('.python-version')!) : undefined;
  if (pinned) {
    if (constrained && !admits(pinned, constrained.python!)) {
      warnings.push(`.python-version names ${pinned} but ${constrained.path} requires Python ${constrained.python}; the image follows .python-version.`);
    }
    return { version: pinned, source: '.python-version' };
  }
  if (constrained) return { version: choosePython(constrained.python), source: constrained.path, constraint: constrained.python! };
  return { version: choosePython(undefined), source: 'default' };
}

/** The manifest files the install layer needs: the chosen kind's manifests, their includes and lock files. */
function installFilesOf(manifests: Manifest[], installer: Installer, files: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  const add = (p: string) => {
    if (files.has(p) && !out.includes(p)) out.push(p);
  };
  for (const m of manifests.filter((x) => x.kind === installer)) {
    add(m.path);
    if (m.kind === 'requirements') {
      // `-r other.txt` resolves against the including file's folder.
      const dir = m.path.includes('/') ? m.path.slice(0, m.path.lastIndexOf('/') + 1) : '';
      for (const line of (files.get(m.path) ?? '').split(/\r?\n/)) {
        const inc = /^\s*(?:-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)/.exec(line);
        if (inc) add(normalizeRel(dir + inc[1]!));
      }
    }
  }
  if (installer === 'poetry') add('poetry.lock');
  if (installer === 'pipenv') add('Pipfile.lock');
  return out;
}

function normalizeRel(p: string): string {
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return out.join('/');
}

/** The largest cpu, memory and gpu any task of any pipeline requests, with the task that asks. */
function pipelineResources(files: ReadonlyMap<string, string>, paths: string[]): DetectedFacts['resources'] {
  const out: DetectedFacts['resources'] = { from: {} };
  const ws = new Workspace();
  for (const p of paths) {
    if (documentKind(p) !== 'pipeline') continue;
    ws.set(`/${p}`, files.get(p)!);
    const pipeline = ws.analyze(`/${p}`)?.pipeline;
    if (!pipeline) continue;
    for (const task of pipeline.taskOrder) {
      const r = effectiveResources(pipeline, task);
      for (const k of ['cpu', 'memory', 'gpu'] as const) {
        const q = r[k] ? parseQuantity(r[k].value) : undefined;
        if (!q || q.value < 0) continue;
        if (out[k] === undefined || q.value > out[k]!) {
          out[k] = q.value;
          out.from[k] = `${p}#${task.id}`;
        }
      }
    }
  }
  return out;
}

function gpuNeed(f: {
  resources: DetectedFacts['resources'];
  cuda: DetectedFacts['cuda'];
  cpuOnly: string[];
  frameworks: DetectedFramework[];
  hostGpu: HostGpu | undefined;
}): DetectedFacts['gpu'] {
  const reasons: string[] = [];
  if ((f.resources.gpu ?? 0) > 0) {
    reasons.push(`${f.resources.from['gpu']} requests ${f.resources.gpu} GPU${f.resources.gpu === 1 ? '' : 's'}`);
    return { need: 'required', reasons };
  }
  if (f.cuda) {
    reasons.push(`${f.cuda.source} is a CUDA ${f.cuda.version} build`);
    return { need: 'optional', reasons };
  }
  const capable = f.frameworks.filter((x) => GPU_CAPABLE.has(x.id)).map((x) => x.id);
  if (f.hostGpu) {
    const what = `nvidia-smi on this machine answers (${f.hostGpu.gpus.join(', ') || 'a GPU'}${f.hostGpu.driver ? `, driver ${f.hostGpu.driver}` : ''})`;
    if (f.cpuOnly.length > 0) reasons.push(`${what}, but ${f.cpuOnly[0]} asks for a CPU-only build`);
    else if (capable.length === 0) reasons.push(`${what}, but no dependency can use a GPU`);
    else {
      reasons.push(`${what} and ${capable.join(', ')} can use it`);
      return { need: 'optional', reasons };
    }
  }
  return { need: 'none', reasons };
}
