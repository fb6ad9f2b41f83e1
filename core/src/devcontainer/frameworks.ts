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

/** The runtime base image for each CUDA release the generator targets (official nvidia/cuda tags, cuDNN included). */
export const CUDA_IMAGES: Readonly<Record<string, string>> = {
  '11.2': 'nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04',
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
};

/** The CUDA used when a GPU is wanted but nothing names a release. */
export const DEFAULT_CUDA = '12.4';

/** The release a bare major (`cuda12`, `nvidia-*-cu12`) stands for. */
const BY_MAJOR: Record<string, string> = { '11': '11.8', '12': DEFAULT_CUDA };

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

/** `cu121` → `12.1`, `cu118` → `11.8`, `cu12` → the default 12.x. */
function fromCuTag(tag: string): string | undefined {
  const m = /^(\d{2})(\d?)$/.exec(tag);
  if (!m) return undefined;
  return m[2] ? `${Number(m[1])}.${m[2]}` : BY_MAJOR[String(Number(m[1]))];
}

/** The CUDA a PyTorch release's default Linux wheels were built with. */
export function torchDefaultCuda(version: string | undefined): string {
  const [major = 99, minor = 99] = (version ?? '').split('.').map(Number);
  if (major < 2 || minor === 0) return '11.7';
  if (minor <= 4) return '12.1';
  if (minor <= 6) return '12.4';
  if (minor === 7) return '12.6';
  return '12.8';
}

/** The CUDA `tensorflow[and-cuda]` pulls in, by TensorFlow release. */
export function tensorflowCuda(version: string | undefined): string {
  const [, minor = 99] = (version ?? '').split('.').map(Number);
  if (minor <= 14) return '11.8';
  if (minor === 15) return '12.2';
  if (minor <= 17) return '12.3';
  return '12.5';
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
  if (/^cupy-cuda(\d{2})x$/.test(key)) return { cuda: { version: BY_MAJOR[/(\d{2})/.exec(key)![1]!]!, source: at } };
  if (key === 'tensorflow' && req.extras.includes('and-cuda')) {
    return { cuda: { version: tensorflowCuda(pinnedVersion(req.spec) ?? lowerBound(req.spec)), source: at, framework: 'tensorflow' } };
  }
  if (req.name.toLowerCase() === 'tensorflow-gpu') return { cuda: { version: '11.2', source: at, framework: 'tensorflow' } };
  if (key === 'jax' || key === 'jaxlib') {
    const extra = req.extras.map((e) => /^cuda(\d{2})/.exec(e)).find((m) => m);
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
      const v = m[2] !== undefined ? `${m[1]}.${m[2]}` : fromCuTag(m[1]!) ?? BY_MAJOR[m[1]!.slice(0, 2)];
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
