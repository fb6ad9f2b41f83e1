/** Turning detected facts and the user's choices into one resolved dev container plan. */
import type { DetectedFacts, GpuNeed, Installer } from './detect';
import { cudaImageFor, DEFAULT_CUDA, FRAMEWORKS, tensorflowCuda, torchDefaultCuda } from './frameworks';
import { lowerBound } from './requirements';

export type GpuMode = 'auto' | 'on' | 'off';
export const GPU_MODES: readonly GpuMode[] = ['auto', 'on', 'off'];

/** What the user may change before the files are written (the wizard's fields, the CLI's options). */
export interface GenerateOptions {
  /** The container's display name; defaults to the project folder's name. */
  name?: string;
  /** Python `X.Y`; defaults to the detected one. */
  python?: string;
  gpu?: GpuMode;
  /** Replaces the chosen base image (the Dockerfile's `BASE_IMAGE` default). */
  baseImage?: string;
  /** Optional dependency groups to install as well. */
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
  groups: string[];
  /** Whether the groups are extras (`[x]` / `-E`) or dependency groups, by name. */
  extraGroups: string[];
  /** Packages installed on top of the manifests (Jupyter, MLflow) because the plan wants them. */
  addPackages: string[];
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
  /** Where Python packages live: the virtual environment or the conda installation. */
  envDir: string;
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
  return m ? ({ '20.04': '3.8', '22.04': '3.10', '24.04': '3.12' } as Record<string, string>)[m[1]!] : undefined;
}

function frameworkCuda(facts: DetectedFacts): { version: string; why: string } {
  if (facts.cuda) return { version: facts.cuda.version, why: `${facts.cuda.source} targets CUDA ${facts.cuda.version}` };
  const torch = facts.frameworks.find((f) => f.id === 'torch');
  if (torch) {
    const v = torchDefaultCuda(torch.version ?? (torch.spec ? lowerBound(torch.spec) : undefined));
    return { version: v, why: `PyTorch ${torch.version ?? torch.spec ?? '(latest)'} wheels for Linux are CUDA ${v} builds` };
  }
  const tf = facts.frameworks.find((f) => f.id === 'tensorflow');
  if (tf) {
    const v = tensorflowCuda(tf.version ?? (tf.spec ? lowerBound(tf.spec) : undefined));
    return { version: v, why: `TensorFlow ${tf.version ?? tf.spec ?? '(latest)'} is built against CUDA ${v}` };
  }
  const host = facts.hostGpu?.cuda;
  if (host && host < DEFAULT_CUDA) return { version: host, why: `the host driver supports CUDA up to ${host}` };
  return { version: DEFAULT_CUDA, why: `no dependency names a CUDA release, so the default ${DEFAULT_CUDA} is used` };
}

/** Resolves facts and options into the plan both files are rendered from. */
export function makePlan(facts: DetectedFacts, options: GenerateOptions = {}): Plan {
  const python = options.python ?? facts.python.version;
  const pythonReason = options.python
    ? `Python ${python} as chosen`
    : facts.python.source === 'default'
      ? `Python ${python}: nothing in the project pins a version`
      : `Python ${python} from ${facts.python.source}${facts.python.constraint ? ` (${facts.python.constraint})` : ''}`;

  const mode = options.gpu ?? 'auto';
  let gpu: GpuNeed;
  let gpuReason: string;
  if (mode === 'off') {
    gpu = 'none';
    gpuReason = 'GPU turned off: CPU only';
  } else if (mode === 'on') {
    gpu = 'required';
    gpuReason = facts.gpu.reasons.length ? `GPU turned on (${facts.gpu.reasons.join('; ')})` : 'GPU turned on';
  } else {
    gpu = facts.gpu.need;
    gpuReason = facts.gpu.reasons.length ? facts.gpu.reasons.join('; ') : 'no dependency, pipeline or host GPU asks for one';
  }

  let cuda: string | undefined;
  let baseImage: string;
  let baseReason: string;
  let baseKind: BaseKind;
  if (gpu !== 'none') {
    const want = frameworkCuda(facts);
    const fit = cudaImageFor(want.version);
    cuda = fit.version;
    baseImage = fit.image;
    baseKind = 'cuda';
    baseReason = `NVIDIA's CUDA ${cuda} runtime with cuDNN: ${want.why}${fit.version !== want.version ? ` (${fit.version} is the nearest runtime image)` : ''}`;
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
  const distro = baseKind === 'cuda' ? ubuntuPython(baseImage) : undefined;

  const known = new Set(facts.packages.map((p) => p.name.toLowerCase().replace(/[-_.]+/g, '-')));
  const groups = (options.groups ?? []).filter((g) => facts.groups.includes(g));
  const jupyter = options.jupyter ?? facts.jupyter;
  const mlflow = options.mlflow ?? facts.mlflow;
  const addPackages: string[] = [];
  if (jupyter) for (const p of ['jupyterlab', 'ipykernel']) if (!known.has(p)) addPackages.push(p);
  if (mlflow && !known.has('mlflow') && !known.has('mlflow-skinny')) addPackages.push('mlflow');

  const r = facts.resources;
  const hostRequirements: Plan['hostRequirements'] = {};
  if (r.cpu !== undefined && r.cpu > 0) hostRequirements.cpus = Math.max(1, Math.ceil(r.cpu));
  if (r.memory !== undefined && r.memory > 0) hostRequirements.memory = formatMemory(r.memory);
  if (gpu === 'required') hostRequirements.gpu = true;
  else if (gpu === 'optional') hostRequirements.gpu = 'optional';
  const asked = (['cpu', 'memory', 'gpu'] as const).filter((k) => r.from[k]).map((k) => `${k} from ${r.from[k]}`);
  const hostReason = asked.length
    ? `The largest request of any pipeline task (${asked.join(', ')}).`
    : '';

  const ports: Plan['ports'] = [];
  if (jupyter) ports.push({ port: 8888, label: 'Jupyter' });
  if (mlflow) ports.push({ port: 5000, label: 'MLflow UI' });

  const extensions = ['ms-python.python'];
  if (jupyter) extensions.push('ms-toolsai.jupyter');
  extensions.push(options.extensionId ?? DEFAULT_EXTENSION_ID);

  const installed = facts.frameworks.filter((f) => !f.group || groups.includes(f.group));
  const checkModules = installed.map((f) => FRAMEWORKS.find((x) => x.id === f.id)!.module);
  if (jupyter) checkModules.push('ipykernel');
  if (mlflow) checkModules.push('mlflow');
  const gpuFramework = gpu === 'required' ? installed.find((f) => f.id === 'torch' || f.id === 'tensorflow' || f.id === 'jax') : undefined;

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
    installFiles: facts.installFiles,
    groups,
    extraGroups: groups.filter((g) => facts.extras.includes(g)),
    addPackages,
    jupyter,
    mlflow,
    hostRequirements,
    hostReason,
    ports,
    extensions,
    checkModules,
    ...(gpuFramework ? { gpuCheck: gpuFramework.id as 'torch' | 'tensorflow' | 'jax' } : {}),
    user: DEV_USER,
    envDir: facts.installer === 'conda' ? '/opt/conda' : '/opt/venv',
  };
}
