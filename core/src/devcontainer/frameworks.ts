/** ML frameworks the generator knows, and how their package names reveal a CUDA build. */
import { lowerBound, pinnedVersion, type Requirement } from './requirements';

/** A framework the generator recognises. */
export interface FrameworkInfo {
  id: string;
  label: string;
  /** PEP 503 names of the packages that bring it in. */
  packages: string[];
  /** The module the environment check imports. */
  module: string;
}

export const FRAMEWORKS: readonly FrameworkInfo[] = [
  { id: 'torch', label: 'PyTorch', packages: ['torch'], module: 'torch' },
  { id: 'tensorflow', label: 'TensorFlow', packages: ['tensorflow', 'tensorflow-gpu', 'tensorflow-cpu', 'tf-nightly'], module: 'tensorflow' },
  { id: 'jax', label: 'JAX', packages: ['jax', 'jaxlib'], module: 'jax' },
  { id: 'keras', label: 'Keras', packages: ['keras'], module: 'keras' },
  { id: 'transformers', label: 'Transformers', packages: ['transformers'], module: 'transformers' },
  { id: 'xgboost', label: 'XGBoost', packages: ['xgboost', 'xgboost-cpu'], module: 'xgboost' },
  { id: 'lightgbm', label: 'LightGBM', packages: ['lightgbm'], module: 'lightgbm' },
  { id: 'catboost', label: 'CatBoost', packages: ['catboost'], module: 'catboost' },
  { id: 'sklearn', label: 'scikit-learn', packages: ['scikit-learn', 'sklearn'], module: 'sklearn' },
];

/** A CUDA `X.Y` and the evidence for it. */
export interface CudaHint {
  version: string;
  source: string;
  /** The framework the hint belongs to, when it belongs to one. */
  framework?: string;
}

/**
 * The runtime base image for each CUDA release the generator targets (official nvidia/cuda
 * tags, cuDNN included). Every conda `cudatoolkit` release (9.2 … 11.8) and every CUDA 12.x
 * and 13.0 has its own row, so a version is never rounded to another one.
 */
export const CUDA_IMAGES: Readonly<Record<string, string>> = {
  '9.2': 'nvidia/cuda:9.2-cudnn7-runtime-ubuntu18.04',
  '10.0': 'nvidia/cuda:10.0-cudnn7-runtime-ubuntu18.04',
  '10.1': 'nvidia/cuda:10.1-cudnn7-runtime-ubuntu18.04',
  '10.2': 'nvidia/cuda:10.2-cudnn8-runtime-ubuntu18.04',
  '11.0': 'nvidia/cuda:11.0.3-cudnn8-runtime-ubuntu20.04',
  '11.1': 'nvidia/cuda:11.1.1-cudnn8-runtime-ubuntu20.04',
  '11.2': 'nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04',
  '11.3': 'nvidia/cuda:11.3.1-cudnn8-runtime-ubuntu20.04',
  '11.4': 'nvidia/cuda:11.4.3-cudnn8-runtime-ubuntu20.04',
  '11.5': 'nvidia/cuda:11.5.2-cudnn8-runtime-ubuntu20.04',
  '11.6': 'nvidia/cuda:11.6.2-cudnn8-runtime-ubuntu20.04',
  '11.7': 'nvidia/cuda:11.7.1-cudnn8-runtime-ubuntu22.04',
  '11.8': 'nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04',
  '12.0': 'nvidia/cuda:12.0.1-cudnn8-runtime-ubuntu22.04',
  '12.1': 'nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04',
  '12.2': 'nvidia/cuda:12.2.2-cudnn8-runtime-ubuntu22.04',
  '12.3': 'nvidia/cuda:12.3.2-cudnn9-runtime-ubuntu22.04',
  '12.4': 'nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04',
  '12.5': 'nvidia/cuda:12.5.1-cudnn-runtime-ubuntu22.04',
  '12.6': 'nvidia/cuda:12.6.3-cudnn-runtime-ubuntu22.04',
  '12.8': 'nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04',
  '12.9': 'nvidia/cuda:12.9.1-cudnn-runtime-ubuntu22.04',
  '13.0': 'nvidia/cuda:13.0.1-cudnn-runtime-ubuntu24.04',
};

/** The CUDA used when a GPU is wanted but nothing names a release: what current PyTorch wheels from PyPI use. */
export const DEFAULT_CUDA = '13.0';

/** The release a bare major (`cuda12`, `nvidia-*-cu12`, `cupy-cuda13x`) stands for: the newest of that major with a row above. */
const BY_MAJOR: Record<string, string> = { '10': '10.2', '11': '11.8', '12': '12.9', '13': '13.0' };

/** The CUDA release whose runtime image fits `version`: the same one, else the newest older one of the same major. */
export function cudaImageFor(version: string): { version: string; image: string } {
  if (CUDA_IMAGES[version]) return { version, image: CUDA_IMAGES[version] };
  const [major, minor] = version.split('.').map(Number);
  const candidates = Object.keys(CUDA_IMAGES)
    .filter((v) => Number(v.split('.')[0]) === major && Number(v.split('.')[1]) <= (minor ?? 0))
    .sort(compareCuda);
  const pick = candidates[candidates.length - 1] ?? DEFAULT_CUDA;
  return { version: pick, image: CUDA_IMAGES[pick]! };
}

export function compareCuda(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}

/** `cu121` → `12.1`, `cu118` → `11.8`, `cu130` → `13.0`, `cu12` → the newest 12.x. */
function fromCuTag(tag: string): string | undefined {
  const m = /^(\d{2})(\d?)$/.exec(tag);
  if (!m) return undefined;
  return m[2] ? `${Number(m[1])}.${m[2]}` : BY_MAJOR[String(Number(m[1]))];
}

/**
 * The CUDA of the default Linux x86-64 wheels on PyPI, by PyTorch minor release (what
 * `pip install torch==X.Y.*` gets). Sources: PyTorch release notes; 2.11 moved PyPI to 13.0.
 */
export const TORCH_CUDA: readonly [release: string, cuda: string][] = [
  ['1.8', '10.2'],
  ['1.9', '10.2'],
  ['1.10', '10.2'],
  ['1.11', '10.2'],
  ['1.12', '10.2'],
  ['1.13', '11.7'],
  ['2.0', '11.7'],
  ['2.1', '12.1'],
  ['2.2', '12.1'],
  ['2.3', '12.1'],
  ['2.4', '12.1'],
  ['2.5', '12.4'],
  ['2.6', '12.4'],
  ['2.7', '12.6'],
  ['2.8', '12.8'],
  ['2.9', '12.8'],
  ['2.10', '12.8'],
  ['2.11', '13.0'],
  ['2.12', '13.0'],
  ['2.13', '13.0'],
  ['2.14', '13.0'],
];

/** The CUDA `tensorflow[and-cuda]` pulls in, by TensorFlow minor release. */
export const TENSORFLOW_CUDA: readonly [release: string, cuda: string][] = [
  ['2.12', '11.8'],
  ['2.13', '11.8'],
  ['2.14', '11.8'],
  ['2.15', '12.2'],
  ['2.16', '12.3'],
  ['2.17', '12.3'],
  ['2.18', '12.5'],
  ['2.19', '12.5'],
  ['2.20', '12.5'],
];

function minorCmp(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}

/**
 * The CUDA the newest release a specifier admits was built with. pip installs the newest
 * release that matches, so an empty specifier or a lower bound (`>=1.8`) means the newest
 * known release; only pins and upper bounds (`==2.1.*`, `<2.5`, `~=2.3.0`) reach back.
 */
export function cudaForSpec(table: readonly [string, string][], spec: string): { release: string; cuda: string } {
  const newest = table[table.length - 1]!;
  const admitted = table.filter(([release]) => releaseAdmitted(release, spec));
  const pick = admitted[admitted.length - 1] ?? newest;
  return { release: pick[0], cuda: pick[1] };
}

/** True when some version of the `X.Y` release series satisfies every clause of a PEP 440 (or Poetry caret/tilde) specifier. */
function releaseAdmitted(series: string, spec: string): boolean {
  const s = spec.replace(/\+[A-Za-z0-9.]+/g, '').replace(/\s+/g, '');
  if (s === '' || s === '*') return true;
  return s.split(',').every((clause) => {
    const m = /^(===|==|!=|~=|>=|<=|>|<|\^|~|=)?v?(\d+(?:\.\d+)*)(\.\*)?$/.exec(clause);
    if (!m) return true;
    const op = m[1] ?? '==';
    const parts = m[2]!.split('.');
    const mm = `${parts[0]}.${parts[1] ?? '0'}`;
    const c = minorCmp(series, mm);
    switch (op) {
      case '==':
      case '===':
      case '=':
        return parts.length === 1 ? series.split('.')[0] === parts[0] : c === 0;
      case '!=':
        return parts.length >= 3 || c !== 0;
      case '>=':
      case '>':
        return c >= 0;
      case '<=':
        return c <= 0;
      case '<':
        return parts.length >= 3 && Number(parts[2]) > 0 ? c <= 0 : c < 0;
      case '~=':
        return parts.length >= 3 ? c === 0 : c >= 0 && series.split('.')[0] === parts[0];
      case '^':
        return c >= 0 && series.split('.')[0] === parts[0];
      case '~':
        return c === 0;
      default:
        return true;
    }
  });
}

/** The CUDA a PyTorch specifier's newest admitted release was built with (`''` or `>=1.8` → the newest release's). */
export function torchDefaultCuda(spec: string): string {
  return cudaForSpec(TORCH_CUDA, spec).cuda;
}

/** The CUDA `tensorflow[and-cuda]` pulls in for a specifier. */
export function tensorflowCuda(spec: string): string {
  return cudaForSpec(TENSORFLOW_CUDA, spec).cuda;
}

const LOCAL_CUDA = /\+cu(\d{2,3})\b/;
const CPU_LOCAL = /\+cpu\b/;

/** What one requirement says about CUDA: a hint, an explicit CPU build, or nothing. */
export function cudaOfRequirement(req: Requirement & { build?: string }, source: string): { cuda?: CudaHint; cpu?: string } {
  const at = `${source}: ${req.name}${req.extras.length ? `[${req.extras.join(',')}]` : ''}${req.spec}${req.build ? `=${req.build}` : ''}`;
  const local = LOCAL_CUDA.exec(req.spec);
  if (local) {
    const v = fromCuTag(local[1]!);
    if (v) return { cuda: { version: v, source: at, ...(frameworkOf(req.key) ? { framework: frameworkOf(req.key)! } : {}) } };
  }
  if (CPU_LOCAL.test(req.spec)) return { cpu: at };
  const key = req.key;
  // NVIDIA's pip-packaged runtime libraries: nvidia-cuda-runtime-cu12==12.1.105 → 12.1.
  const nv = /^nvidia-[a-z0-9-]+-cu(\d{2})$/.exec(key);
  if (nv) {
    const pin = pinnedVersion(req.spec) ?? lowerBound(req.spec);
    const mm = pin ? /^(\d+)\.(\d+)/.exec(pin) : null;
    const v = key.startsWith('nvidia-cuda-') && mm && mm[1] === nv[1] ? `${mm[1]}.${mm[2]}` : BY_MAJOR[nv[1]!];
    if (v) return { cuda: { version: v, source: at } };
  }
  if (/^cupy-cuda(\d{2,3})x$/.test(key) && BY_MAJOR[/(\d{2})/.exec(key)![1]!]) return { cuda: { version: BY_MAJOR[/(\d{2})/.exec(key)![1]!]!, source: at } };
  if (key === 'tensorflow' && req.extras.includes('and-cuda')) {
    return { cuda: { version: tensorflowCuda(req.spec), source: at, framework: 'tensorflow' } };
  }
  if (req.name.toLowerCase() === 'tensorflow-gpu') return { cuda: { version: '11.2', source: at, framework: 'tensorflow' } };
  if (key === 'jax' || key === 'jaxlib') {
    const extra = req.extras.map((e) => /^cuda(\d{2})/.exec(e)).find((m) => m && BY_MAJOR[m[1]!]);
    if (extra) return { cuda: { version: BY_MAJOR[extra[1]!] ?? DEFAULT_CUDA, source: at, framework: 'jax' } };
    if (req.build && /cuda/.test(req.build)) return { cuda: { version: BY_MAJOR['12']!, source: at, framework: 'jax' } };
  }
  if (/^jax-cuda(\d{2})-(plugin|pjrt)$/.test(key)) return { cuda: { version: BY_MAJOR[/(\d{2})/.exec(key)![1]!]!, source: at, framework: 'jax' } };
  // conda: pytorch-cuda=12.1, cudatoolkit=11.8, cuda-version=12.1, and CUDA build strings.
  if (['pytorch-cuda', 'cudatoolkit', 'cuda-version', 'cuda-toolkit', 'cuda-runtime', 'cuda-cudart'].includes(key)) {
    const m = /(\d+)\.(\d+)/.exec(req.spec);
    if (m) return { cuda: { version: `${m[1]}.${m[2]}`, source: at, ...(key === 'pytorch-cuda' ? { framework: 'torch' } : {}) } };
  }
  if (key === 'cpuonly') return { cpu: at };
  if (req.build) {
    const m = /cuda(\d+)\.?(\d)?/.exec(req.build);
    if (m) {
      const v = m[2] !== undefined ? `${m[1]}.${m[2]}` : (fromCuTag(m[1]!) ?? BY_MAJOR[m[1]!.slice(0, 2)]);
      if (v) return { cuda: { version: v, source: at, ...(frameworkOf(key) ? { framework: frameworkOf(key)! } : {}) } };
    }
    if (/cpu/.test(req.build)) return { cpu: at };
  }
  if (['pytorch-gpu', 'py-xgboost-gpu'].includes(req.name.toLowerCase())) return { cuda: { version: DEFAULT_CUDA, source: at, ...(frameworkOf(key) ? { framework: frameworkOf(key)! } : {}) } };
  if (['tensorflow-cpu', 'xgboost-cpu', 'pytorch-cpu'].includes(req.name.toLowerCase())) return { cpu: at };
  return {};
}

/** What a package index URL says: PyTorch's `…/whl/cu121` is a CUDA 12.1 index, `…/whl/cpu` a CPU one. */
export function cudaOfIndex(url: string, source: string): { cuda?: CudaHint; cpu?: string } {
  const at = `${source}: ${url}`;
  const m = /\/whl\/(?:nightly\/|test\/)?cu(\d{2,3})(?:\/|$)/.exec(url);
  if (m) {
    const v = fromCuTag(m[1]!);
    if (v) return { cuda: { version: v, source: at, framework: 'torch' } };
  }
  if (/\/whl\/(?:nightly\/|test\/)?cpu(?:\/|$)/.test(url)) return { cpu: at };
  const jax = /jax-cuda(\d{2})-releases|cuda(\d{2})_releases/.exec(url);
  if (jax) return { cuda: { version: BY_MAJOR[jax[1] ?? jax[2]!] ?? DEFAULT_CUDA, source: at, framework: 'jax' } };
  return {};
}

/** The framework id a PEP 503 package name belongs to. */
export function frameworkOf(key: string): string | undefined {
  return FRAMEWORKS.find((f) => f.packages.includes(key))?.id;
}
