/** Choosing a Python X.Y from the constraints projects write (PEP 440, Poetry, conda). */

/** The Python used when nothing in the project constrains it. */
export const DEFAULT_PYTHON = '3.12';

/** Minor versions with maintained official images, oldest first. */
export const PYTHON_VERSIONS = ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13'] as const;

type Minor = [number, number];

function parseVersion(v: string): number[] | undefined {
  const m = /^\s*v?(\d+(?:\.\d+)*)(\.\*)?\s*$/.exec(v);
  return m ? m[1]!.split('.').map(Number) : undefined;
}

function cmp(a: Minor, b: readonly number[]): number {
  return a[0] !== b[0] ? a[0] - b[0]! : a[1] - (b[1] ?? 0);
}

/** True when some release of the `x.y` series satisfies one clause such as `>=3.9.2` or `^3.10`. */
function clauseAdmits(series: Minor, clause: string): boolean {
  const c = clause.trim();
  if (c === '' || c === '*') return true;
  const m = /^(===|==|!=|~=|>=|<=|>|<|\^|~|=)?\s*(.+)$/.exec(c);
  if (!m) return true;
  const op = m[1] ?? '==';
  const raw = m[2]!;
  const wildcard = raw.endsWith('.*');
  const v = parseVersion(raw);
  if (!v) return true;
  const [major, minor = 0, patch = 0] = v;
  const at: Minor = [major!, minor];
  switch (op) {
    case '=':
    case '==':
    case '===':
      return v.length === 1 ? series[0] === major : cmp(series, at) === 0;
    case '!=':
      // Excluding one patch release still leaves the series usable.
      return v.length >= 3 && !wildcard ? true : cmp(series, at) !== 0;
    case '>=':
      return cmp(series, at) >= 0;
    case '>':
      return v.length >= 3 ? cmp(series, at) >= 0 : cmp(series, at) > 0;
    case '<=':
      return cmp(series, at) <= 0;
    case '<':
      return patch > 0 ? cmp(series, at) <= 0 : v.length === 1 ? series[0] < major! : cmp(series, at) < 0;
    case '^':
      return cmp(series, at) >= 0 && (major! > 0 ? series[0] === major : cmp(series, [0, minor + 1]) < 0);
    case '~':
      return v.length === 1 ? series[0] === major : cmp(series, at) === 0;
    case '~=':
      return cmp(series, at) >= 0 && (v.length >= 3 ? cmp(series, at) === 0 : series[0] === major);
    default:
      return true;
  }
}

/** True when the `x.y` series satisfies a constraint; `||` separates alternatives, `,` or spaces join clauses. */
export function admits(version: string, constraint: string): boolean {
  const v = parseVersion(version);
  if (!v || v.length < 2) return false;
  const series: Minor = [v[0]!, v[1]!];
  return constraint.split('||').some((alt) =>
    alt
      .replace(/(===|==|!=|~=|>=|<=|>|<|\^|~|=)\s+/g, '$1')
      .split(/[,\s]+/)
      .filter((c) => c !== '')
      .every((c) => clauseAdmits(series, c)),
  );
}

/**
 * The Python to install for a constraint: the default when it is allowed, else the newest
 * known minor that is, else the lowest version the constraint names.
 */
export function choosePython(constraint: string | undefined): string {
  if (!constraint || admits(DEFAULT_PYTHON, constraint)) return DEFAULT_PYTHON;
  for (let i = PYTHON_VERSIONS.length - 1; i >= 0; i--) if (admits(PYTHON_VERSIONS[i]!, constraint)) return PYTHON_VERSIONS[i]!;
  const named = /(\d+)\.(\d+)/.exec(constraint);
  return named ? `${named[1]}.${named[2]}` : DEFAULT_PYTHON;
}

/** `X.Y` from a `.python-version` file (`3.11.4`, `3.11`, `cpython-3.11`); undefined when it names none. */
export function readPythonVersionFile(text: string): string | undefined {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const m = /(?:^|[^\d.])(3)\.(\d+)(?:\.\d+)?/.exec(line) ?? /^(3)\.(\d+)/.exec(line);
    return m ? `${m[1]}.${m[2]}` : undefined;
  }
  return undefined;
}

/** True for a well-formed `X.Y` such as the CLI's `--python` takes. */
export function isPythonVersion(v: string): boolean {
  return /^3\.\d{1,2}$/.test(v);
}
