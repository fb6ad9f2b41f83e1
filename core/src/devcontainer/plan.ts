/** Turning detected facts and the user's choices into one resolved dev container plan. */
import { GPU_CAPABLE, type DetectedFacts, type Evidence, type GpuNeed, type Installer } from './detect';
import { compareCuda, cudaForSpec, cudaImageFor, DEFAULT_CUDA, TENSORFLOW_CUDA, TORCH_CUDA } from './frameworks';

/**
 * `project`: only the project's files decide (the default: the same answer on every machine).
 * `auto`: also this machine's `nvidia-smi` — a GPU there makes a GPU-capable project's GPU
 * optional; it never changes the CUDA version. `on`/`off` force it.
 */
export type GpuMode = 'project' | 'auto' | 'on' | 'off';
export const GPU_MODES: readonly GpuMode[] = ['project', 'auto', 'on', 'off'];

/** What the user may change before the files are written (the wizard's fields, the CLI's options). */
export interface GenerateOptions {
  /** The container's display name; defaults to the project folder's name. */
  name?: string;
  /** Python `X.Y`; defaults to the detected one. */
  python?: string;
  gpu?: GpuMode;
  /** Replaces the chosen base image (the Dockerfile's `BASE_IMAGE` default). */
  baseImage?: string;
  /** Optional dependency groups to install as well; defaults to the project's default groups (uv's `dev`). */
  groups?: string[];
  /** Install Jupyter and forward its port; defaults to whether the project has notebooks. */
  jupyter?: boolean;
  /** Install MLflow and forward its UI port; defaults to whether the project uses it. */
  mlflow?: boolean;
  /** This extension's id, recommended inside the container. */
  extensionId?: string;
}

/** What the base image provides: a Python, a bare CUDA Ubuntu, or a conda installation. */
export type BaseKind = 'python' | 'cuda' | 'conda';

/** One choice the generator made, the value, why, and the project lines that decided it (`--explain`). */
export interface Decision {
  choice: string;
  value: string;
  because: string;
  at: Evidence[];
}

/** Every decision the two generated files are rendered from, each with the reason a comment gives. */
export interface Plan {
  name: string;
  python: string;
  pythonReason: string;
  gpu: GpuNeed;
  gpuReason: string;
  /** The CUDA runtime release of the base image, for GPU plans. */
  cuda?: string;
  baseImage: string;
  baseKind: BaseKind;
  baseReason: string;
  /** For a CUDA base: the Python that comes from Ubuntu, when it is the wanted one. */
  distroPython?: string;
  installer: Installer;
  installFiles: string[];
  /** Requirements files (or the conda file, the pyproject) the install step reads: the base set plus chosen file choices. */
  installRoots: string[];
  groups: string[];
  /** Whether the groups are extras (`[x]` / `-E`) or dependency groups, by name. */
  extraGroups: string[];
  /** uv: install only the chosen groups, not the project's default ones. */
  noDefaultGroups: boolean;
  /** Packages installed by name (chosen `imports`, a setup.py's literal install_requires). */
  inlinePackages: string[];
  /** The project's own dependencies when a requirements file installs it with `-e .`. */
  projectDeps?: DetectedFacts['projectDeps'];
  /** Packages installed on top of the manifests (Jupyter, MLflow) because the plan wants them. */
  addPackages: string[];
  /** Debian packages the image installs. */
  system: string[];
  /** Entries installed from the mounted workspace after the container is created (`-e .`). */
  local: string[];
  /** The named conda environment, for conda plans. */
  condaEnv?: string;
  jupyter: boolean;
  mlflow: boolean;
  hostRequirements: { cpus?: number; memory?: string; gpu?: true | 'optional' };
  hostReason: string;
  ports: { port: number; label: string }[];
  extensions: string[];
  /** Modules the environment check imports; `gpuModule` must see a GPU when the plan requires one. */
  checkModules: string[];
  gpuCheck?: 'torch' | 'tensorflow' | 'jax';
  user: string;
  /** Where Python packages live: the virtual environment or the conda environment. */
  envDir: string;
  decisions: Decision[];
  warnings: string[];
}

export const DEV_USER = 'vscode';
export const DEFAULT_EXTENSION_ID = 'mlops-workbench.mlops-workbench';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

/** Bytes → the `Ngb` / `Nmb` form hostRequirements takes, rounded up (1024-based, as the Dev Containers CLI reads it). */
export function formatMemory(bytes: number): string {
  if (bytes >= GiB && bytes % GiB === 0) return `${bytes / GiB}gb`;
  return `${Math.max(1, Math.ceil(bytes / MiB))}mb`;
}

/** What a base image reference provides, guessed from its name. */
export function baseKindOf(image: string): BaseKind {
  const name = image.toLowerCase();
  if (/conda|mamba|miniforge/.test(name)) return 'conda';
  if (/cuda/.test(name)) return 'cuda';
  return 'python';
}

/** The Python an Ubuntu-based CUDA image ships (`ubuntu22.04` → 3.10). */
function ubuntuPython(image: string): string | undefined {
  const m = /ubuntu(\d\d\.\d\d)/.exec(image);
  return m ? ({ '18.04': '3.6', '20.04': '3.8', '22.04': '3.10', '24.04': '3.12' } as Record<string, string>)[m[1]!] : undefined;
}

const at = (e: Evidence | undefined): Evidence[] => (e ? [e] : []);

/**
 * The CUDA release for the chosen install: the newest a manifest names (a `+cu121` build, a
 * `…/whl/cu128` index, `pytorch-cuda=12.1`, `cudatoolkit=11.3`), else the one the newest
 * admitted framework release was built with. Never this machine's driver.
 */
export function chooseCuda(facts: DetectedFacts, groups: string[]): { version: string; why: string; at: Evidence[] } {
  const hints = facts.hints.filter((h) => h.kind === 'cuda' && (!h.group || groups.includes(h.group))).sort((a, b) => compareCuda(b.version!, a.version!));
  if (hints[0]) return { version: hints[0].version!, why: `${hints[0].source} targets CUDA ${hints[0].version}`, at: at(hints[0].at) };
  const installed = facts.frameworks.filter((f) => !f.group || groups.includes(f.group));
  const torch = installed.find((f) => f.id === 'torch');
  if (torch) {
    const spec = torch.version ? `==${torch.version}` : (torch.spec ?? '');
    const r = cudaForSpec(TORCH_CUDA, spec);
    const what = spec ? `${torch.package}${spec}` : `${torch.package} (unpinned)`;
    return { version: r.cuda, why: `${what}: pip installs PyTorch ${r.release}, whose default Linux wheels are CUDA ${r.cuda} builds`, at: at(torch.at) };
  }
  const tf = installed.find((f) => f.id === 'tensorflow');
  if (tf) {
    const spec = tf.version ? `==${tf.version}` : (tf.spec ?? '');
    const r = cudaForSpec(TENSORFLOW_CUDA, spec);
    return { version: r.cuda, why: `${tf.package}${spec}: TensorFlow ${r.release} is built against CUDA ${r.cuda}`, at: at(tf.at) };
  }
  return { version: DEFAULT_CUDA, why: `no dependency names a CUDA release, so the default ${DEFAULT_CUDA} (that of current PyTorch wheels) is used`, at: [] };
}

/** Resolves facts and options into the plan both files are rendered from. */
export function makePlan(facts: DetectedFacts, options: GenerateOptions = {}): Plan {
  const decisions: Decision[] = [];
  const warnings: string[] = [];
  const decide = (choice: string, value: string, because: string, evidence: Evidence[] = []) =>
    decisions.push({ choice, value, because, at: evidence.filter((e, i, all) => all.findIndex((x) => x.file === e.file && x.line === e.line) === i) });

  const groups = (options.groups ?? facts.defaultGroups).filter((g) => facts.groups.includes(g));
  const chosen = (g: string | undefined) => !g || groups.includes(g);
  const variants = facts.choices.filter((c) => c.kind === 'variant' && groups.includes(c.name));
  if (variants.length > 1 && facts.installer === 'requirements') {
    warnings.push(`${variants.map((v) => v.name).join(' and ')} are alternative builds; installing both may conflict, so choose one.`);
  }

  const python = options.python ?? facts.python.version;
  const pythonReason = options.python
    ? `Python ${python} as chosen`
    : facts.python.source === 'default'
      ? `Python ${python}: nothing in the project pins a version`
      : `Python ${python} from ${facts.python.source}${facts.python.constraint ? ` (${facts.python.constraint})` : ''}`;
  decide(
    'python',
    python,
    options.python
      ? 'chosen with --python'
      : facts.python.narrowed?.length
        ? `the newest Python ${[facts.python.constraint ? `that ${facts.python.constraint} allows` : '', ...facts.python.narrowed.map((n) => n.why)].filter((s) => s).join(' and ')}`
        : facts.python.source === 'default'
          ? `nothing in the project constrains Python, so the default ${python}`
          : facts.python.constraint
            ? `the newest known Python that ${facts.python.constraint} allows (${facts.python.source})`
            : `pinned by ${facts.python.source}`,
    options.python ? [] : [...(facts.python.narrowed ?? []).flatMap((n) => at(n.at)), ...at(facts.python.at)].filter((e, i, all) => all.findIndex((x) => x.file === e.file && x.line === e.line) === i),
  );

  // GPU: the project's files decide; `auto` adds this machine's GPU; CUDA never follows the machine.
  const mode = options.gpu ?? 'project';
  const groupCuda = facts.hints.some((h) => h.kind === 'cuda' && h.group && groups.includes(h.group));
  const groupCpu = facts.hints.find((h) => h.kind === 'cpu' && h.group && groups.includes(h.group));
  let gpu: GpuNeed = facts.gpu.need;
  let gpuReason = facts.gpu.reasons.join('; ');
  if (gpu === 'none' && groupCuda) {
    gpu = 'optional';
    gpuReason = `the chosen ${facts.hints.find((h) => h.kind === 'cuda' && h.group && groups.includes(h.group))!.group} build needs CUDA`;
  }
  if (gpu === 'optional' && groupCpu && !groupCuda) {
    gpu = 'none';
    gpuReason = `the chosen ${groupCpu.group} build is CPU-only`;
  }
  const capable = facts.frameworks.filter((f) => chosen(f.group) && GPU_CAPABLE.has(f.id)).map((f) => f.id);
  if (mode === 'off') {
    gpu = 'none';
    gpuReason = 'GPU turned off: CPU only';
  } else if (mode === 'on') {
    gpu = 'required';
    gpuReason = gpuReason ? `GPU turned on (${gpuReason})` : 'GPU turned on';
  } else if (mode === 'auto' && gpu === 'none' && facts.hostGpu) {
    const what = `nvidia-smi on this machine answers (${facts.hostGpu.gpus.join(', ') || 'a GPU'}${facts.hostGpu.driver ? `, driver ${facts.hostGpu.driver}` : ''})`;
    if (facts.cpuOnly.length > 0 || groupCpu) gpuReason = `${what}, but ${facts.cpuOnly[0] ?? groupCpu!.source} asks for a CPU-only build`;
    else if (capable.length === 0) gpuReason = `${what}, but no dependency can use a GPU`;
    else {
      gpu = 'optional';
      gpuReason = `${what} and ${capable.join(', ')} can use it (--gpu auto)`;
    }
  }
  if (!gpuReason) gpuReason = 'no dependency or pipeline asks for one';
  const gpuAt = mode === 'on' || mode === 'off' ? [] : gpu === 'required' && facts.resourceLines?.['gpu'] ? [facts.resourceLines['gpu']] : [...at(facts.hints.find((h) => h.kind === 'cuda' && chosen(h.group))?.at)];
  decide('gpu', gpu, mode === 'on' || mode === 'off' ? `--gpu ${mode}` : gpuReason, gpuAt);

  let cuda: string | undefined;
  let baseImage: string;
  let baseReason: string;
  let baseKind: BaseKind;
  if (gpu !== 'none') {
    const want = chooseCuda(facts, groups);
    const fit = cudaImageFor(want.version);
    cuda = fit.version;
    baseImage = fit.image;
    baseKind = 'cuda';
    baseReason = `NVIDIA's CUDA ${cuda} runtime with cuDNN: ${want.why}${fit.version !== want.version ? ` (${fit.version} is the nearest runtime image)` : ''}`;
    decide('cuda', cuda, want.why, want.at);
    if (facts.hostGpu?.cuda && compareCuda(facts.hostGpu.cuda, cuda) < 0) {
      warnings.push(`The host driver supports CUDA up to ${facts.hostGpu.cuda} but the image targets ${cuda}; update the NVIDIA driver or pin a build for CUDA ${facts.hostGpu.cuda}.`);
    }
  } else if (facts.installer === 'conda') {
    baseImage = 'condaforge/miniforge3:latest';
    baseKind = 'conda';
    baseReason = 'Miniforge (conda + mamba, conda-forge channel) because the project is a conda environment; pin a release tag for reproducible builds';
  } else {
    baseImage = `python:${python}-slim-bookworm`;
    baseKind = 'python';
    baseReason = `the official Python ${python} image on Debian slim: small, and no dependency needs CUDA`;
  }
  if (options.baseImage) {
    baseImage = options.baseImage;
    baseKind = baseKindOf(baseImage);
    baseReason = `${baseImage} as chosen (treated as ${baseKind === 'python' ? 'an image with python3 and venv' : baseKind === 'cuda' ? 'an Ubuntu CUDA image' : 'an image with conda'})`;
  }
  decide('base image', baseImage, options.baseImage ? 'chosen with --base-image' : baseReason);
  const distro = baseKind === 'cuda' ? ubuntuPython(baseImage) : undefined;

  // What gets installed: the base set by default; every other set only when chosen.
  const installRoots = [...facts.installRoots, ...facts.choices.filter((c) => c.file && groups.includes(c.name)).map((c) => c.file!)];
  // Line 0: the whole file decided it (it exists and is the base set).
  const rootsAt = installRoots.map((f) => ({ file: f, line: 0, text: '' }));
  decide(
    'install',
    facts.installer === 'none' ? 'nothing from a manifest' : `${facts.installer}: ${installRoots.join(', ') || '(no file)'}`,
    facts.installer === 'none'
      ? (facts.notFound[0] ?? 'no manifest')
      : `the ${facts.installer} manifest${installRoots.length > 1 ? 's' : ''} of the project${
          facts.manifests.length > 1
            ? ` (preferred over ${
                facts.manifests
                  .filter((m) => m.kind !== facts.installer)
                  .map((m) => m.path)
                  .join(', ') || 'the others'
              })`
            : ''
        }`,
    rootsAt,
  );
  for (const c of facts.choices) {
    const on = groups.includes(c.name);
    decide(
      `choice ${c.name}`,
      on ? 'installed' : 'left out',
      `${c.kind === 'variant' ? 'an alternative build' : c.kind === 'tooling' ? 'tooling' : c.kind === 'imports' ? 'packages the code imports but no manifest lists' : c.kind === 'extra' ? 'an optional extra' : c.kind === 'group' ? 'a dependency group' : 'an optional requirements file'}${on ? (options.groups ? ', chosen' : ", installed by default by the project's tool") : ', offered with --extra ' + c.name}`,
      c.at ? [c.at] : c.file ? [{ file: c.file, line: 0, text: '' }] : [],
    );
  }

  const known = new Set(facts.packages.filter((p) => chosen(p.group)).map((p) => p.name.toLowerCase().replace(/[-_.]+/g, '-')));
  const jupyter = options.jupyter ?? facts.jupyter;
  const mlflow = options.mlflow ?? facts.mlflow;
  const addPackages: string[] = [];
  if (jupyter) for (const p of ['jupyterlab', 'ipykernel']) if (!known.has(p)) addPackages.push(p);
  if (mlflow && !known.has('mlflow') && !known.has('mlflow-skinny')) addPackages.push('mlflow');
  const inlinePackages = [
    ...(groups.includes('imports') ? (facts.choices.find((c) => c.kind === 'imports')?.packages ?? []) : []),
    ...facts.choices.filter((c) => c.requirements && groups.includes(c.name)).flatMap((c) => c.requirements!),
  ];

  const system = facts.system.filter((s) => chosen(s.group));
  for (const s of system) decide(`apt ${s.apt}`, 'installed', s.why, at(s.at));

  const r = facts.resources;
  const hostRequirements: Plan['hostRequirements'] = {};
  if (r.cpu !== undefined && r.cpu > 0) hostRequirements.cpus = Math.max(1, Math.ceil(r.cpu));
  if (r.memory !== undefined && r.memory > 0) hostRequirements.memory = formatMemory(r.memory);
  if (gpu === 'required') hostRequirements.gpu = true;
  else if (gpu === 'optional') hostRequirements.gpu = 'optional';
  const asked = (['cpu', 'memory', 'gpu'] as const).filter((k) => r.from[k]).map((k) => `${k} from ${r.from[k]}`);
  const hostReason = asked.length ? `The largest request of any pipeline task (${asked.join(', ')}).` : '';
  if (asked.length)
    decide(
      'hostRequirements',
      JSON.stringify(hostRequirements),
      hostReason,
      (['cpu', 'memory', 'gpu'] as const).flatMap((k) => at(facts.resourceLines?.[k])),
    );

  const ports: Plan['ports'] = [];
  if (jupyter) ports.push({ port: 8888, label: 'Jupyter' });
  if (mlflow) ports.push({ port: 5000, label: 'MLflow UI' });
  if (jupyter) decide('jupyter', 'installed, port 8888', options.jupyter !== undefined ? 'chosen' : `${facts.notebooks.length} notebook${facts.notebooks.length === 1 ? '' : 's'} in the project`);
  if (mlflow) decide('mlflow', 'installed, port 5000', options.mlflow !== undefined ? 'chosen' : 'the project uses MLflow');

  const extensions = ['ms-python.python'];
  if (jupyter) extensions.push('ms-toolsai.jupyter');
  extensions.push(options.extensionId ?? DEFAULT_EXTENSION_ID);

  const modules = facts.modules.filter((m) => chosen(m.group));
  const checkModules = modules.map((m) => m.module);
  if (jupyter) checkModules.push('ipykernel');
  if (mlflow && !checkModules.includes('mlflow')) checkModules.push('mlflow');
  for (const m of modules) decide(`check imports ${m.module}`, m.package, `${m.package} is installed`, at(m.at));
  const installed = facts.frameworks.filter((f) => chosen(f.group));
  const gpuFramework = gpu === 'required' ? installed.find((f) => f.id === 'torch' || f.id === 'tensorflow' || f.id === 'jax') : undefined;

  const local = [...(facts.editable ? ['.'] : []), ...facts.local.filter((l) => !/^(-e\s+|--editable[=\s]+)?\.(\[[^\]]*\])?\/?$/.test(l.entry.trim())).map((l) => l.entry.replace(/^(-e|--editable)(\s+|=)/, ''))];
  if (facts.editable) {
    const how = facts.installer === 'uv' ? 'uv sync (the project, editable, from the workspace)' : 'pip install -e . (editable, from the workspace)';
    decide('postCreate', how, 'the project installs itself; the image holds only its dependencies, so code edits need no rebuild', [facts.editable.at]);
  }
  for (const l of facts.local)
    if (!/^(-e\s+|--editable[=\s]+)?\.(\[[^\]]*\])?\/?$/.test(l.entry.trim()))
      decide('postCreate', `pip install -e ${l.entry.replace(/^(-e|--editable)(\s+|=)/, '')}`, 'local code is installed from the mounted workspace, not copied into the image', [l.at]);

  const condaEnv = facts.installer === 'conda' ? (facts.conda?.name ?? 'project') : undefined;
  if (condaEnv) decide('conda environment', condaEnv, `a named environment activated for ${DEV_USER}, not Miniforge's base`, at(facts.conda?.at));

  const uv = facts.installer === 'uv';
  const defaults = facts.defaultGroups;
  const noDefaultGroups = uv && defaults.some((g) => !groups.includes(g));

  return {
    name: options.name ?? 'ml-project',
    python,
    pythonReason,
    gpu,
    gpuReason,
    ...(cuda ? { cuda } : {}),
    baseImage,
    baseKind,
    baseReason,
    ...(distro ? { distroPython: distro } : {}),
    installer: facts.installer,
    installFiles: [...new Set([...facts.installFiles, ...facts.choices.filter((c) => groups.includes(c.name)).flatMap((c) => c.files ?? [])])],
    installRoots,
    groups,
    extraGroups: groups.filter((g) => facts.extras.includes(g)),
    noDefaultGroups,
    inlinePackages,
    ...(facts.projectDeps ? { projectDeps: facts.projectDeps } : {}),
    addPackages,
    system: system.map((s) => s.apt),
    local,
    ...(condaEnv ? { condaEnv } : {}),
    jupyter,
    mlflow,
    hostRequirements,
    hostReason,
    ports,
    extensions,
    checkModules,
    ...(gpuFramework ? { gpuCheck: gpuFramework.id as 'torch' | 'tensorflow' | 'jax' } : {}),
    user: DEV_USER,
    envDir: condaEnv ? `/opt/conda/envs/${condaEnv}` : '/opt/venv',
    decisions,
    warnings,
  };
}
