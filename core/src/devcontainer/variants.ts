/**
 * Requirements files beside the base set are choices, not extra installs: `-cuda`, `-cpu`,
 * `-tpu` are alternative builds of the same framework, and `docs`, `typing`, `ci`,
 * `doctests` are tooling. Installing every `requirements*.txt` at once conflicts or lets a
 * pin in a mypy file decide the CUDA version.
 */

/** What kind of choice an optional set of dependencies is. */
export type ChoiceKind = 'variant' | 'tooling' | 'extra' | 'group' | 'imports' | 'other';

const VARIANT = /(^|[-_./])(cpu|gpu|cuda\d*|cu\d{2,3}|tpu|rocm\d*|xpu|mps|metal|habana|neuron|npu)($|[-_./])/i;
const TOOLING =
  /(^|[-_./])(dev|devel|develop|docs?|sphinx|mkdocs|typing|types|mypy|lint|linting|style|format|pre-?commit|ci|tests?|testing|doctests?|bench(mark)?s?|examples?|notebooks?|extras?|optional|all|build|release|coverage)($|[-_./])/i;
/** Names that mean "the dependencies the project always needs". */
const BASE = /^(base|main|core|common|default|prod|production|runtime|install|requirements|requirements\.in|run)$/i;

/** The choice kind a requirements file's name or a group's name suggests. */
export function choiceKindOf(name: string): ChoiceKind {
  if (VARIANT.test(name)) return 'variant';
  if (TOOLING.test(name)) return 'tooling';
  return 'other';
}

/** True for a requirements file name that holds the base set (`requirements.txt`, `requirements/base.txt`). */
export function isBaseName(stem: string): boolean {
  return BASE.test(stem);
}

/**
 * The choice name of a requirements file: `requirements-cuda.txt` → `cuda`,
 * `requirements/docs.txt` → `docs`, `requirements/pytorch/test.txt` → `pytorch/test`.
 */
export function choiceNameOf(path: string): string {
  if (path.startsWith('requirements/')) return path.slice('requirements/'.length).replace(/\.(txt|in)$/, '');
  const base = path.slice(path.lastIndexOf('/') + 1);
  const m = /^requirements[-_.]?(.*)\.txt$/i.exec(base);
  const stem = m?.[1] || base.replace(/\.txt$/, '');
  const dir = path.includes('/') ? `${path.slice(0, path.lastIndexOf('/'))}/` : '';
  return `${dir}${stem}`;
}

/** The stem that decides whether a requirements file is a base file: its name without the `requirements` prefix and `.txt`. */
export function stemOf(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1).replace(/\.(txt|in)$/, '');
  return path.startsWith('requirements/') || path.includes('/') ? base : base.replace(/^requirements[-_.]?/i, '') || 'requirements';
}
