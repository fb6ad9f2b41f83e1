/**
 * PEP 508 environment markers, evaluated for the Linux x86-64 CPython a dev container runs,
 * once per candidate Python: `torch==2.1; python_version <= "3.10"` is installed only there.
 */

/** The marker variables of a Linux x86-64 CPython `X.Y` (patch .0). */
function environment(python: string): Record<string, string> {
  return {
    python_version: python,
    python_full_version: `${python}.0`,
    implementation_name: 'cpython',
    platform_python_implementation: 'CPython',
    sys_platform: 'linux',
    platform_system: 'Linux',
    os_name: 'posix',
    platform_machine: 'x86_64',
    platform_release: '',
    platform_version: '',
    implementation_version: `${python}.0`,
    extra: '',
  };
}

type Token = { kind: 'str' | 'var' | 'op' | 'and' | 'or' | '(' | ')'; value: string };

function tokenize(marker: string): Token[] | undefined {
  const out: Token[] = [];
  const re = /\s*(?:(["'])(.*?)\1|(\(|\))|(===|==|!=|<=|>=|~=|<|>|not\s+in\b|in\b)|(and|or)\b|([A-Za-z_][A-Za-z0-9_.]*))/y;
  let i = 0;
  while (i < marker.length) {
    if (/^\s*$/.test(marker.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(marker);
    if (!m) return undefined;
    i = re.lastIndex;
    if (m[1] !== undefined) out.push({ kind: 'str', value: m[2]! });
    else if (m[3]) out.push({ kind: m[3] as '(' | ')', value: m[3] });
    else if (m[4]) out.push({ kind: 'op', value: m[4].replace(/\s+/g, ' ') });
    else if (m[5]) out.push({ kind: m[5] as 'and' | 'or', value: m[5] });
    else out.push({ kind: 'var', value: m[6]! });
  }
  return out;
}

function versionCmp(a: string, b: string): number {
  const pa = a.split('.').map((x) => parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function compare(left: string, op: string, right: string, versions: boolean): boolean {
  if (op === 'in') return right.includes(left);
  if (op === 'not in') return !right.includes(left);
  if (!versions || !/^\d+(\.\d+)*(\.\*)?$/.test(right)) {
    if (op === '==' || op === '===') return left === right;
    if (op === '!=') return left !== right;
  }
  if (right.endsWith('.*')) {
    const prefix = right.slice(0, -2);
    const same = left === prefix || left.startsWith(`${prefix}.`);
    return op === '!=' ? !same : same;
  }
  const c = versionCmp(left, right);
  switch (op) {
    case '==':
    case '===':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    case '~=': {
      const parts = right.split('.');
      const prefix = parts.slice(0, Math.max(1, parts.length - 1)).join('.');
      return c >= 0 && (left === prefix || left.startsWith(`${prefix}.`));
    }
    default:
      return false;
  }
}

/**
 * Whether a marker holds for Linux x86-64 CPython `python` (`X.Y`). Undefined when the marker
 * cannot be read; callers then treat the requirement as installed.
 */
export function markerHolds(marker: string, python: string): boolean | undefined {
  const tokens = tokenize(marker);
  if (!tokens) return undefined;
  const env = environment(python);
  let pos = 0;
  const value = (t: Token | undefined): { v: string; isVar: boolean } | undefined => {
    if (!t) return undefined;
    if (t.kind === 'str') return { v: t.value, isVar: false };
    if (t.kind === 'var') return t.value in env ? { v: env[t.value]!, isVar: true } : undefined;
    return undefined;
  };
  const atom = (): boolean | undefined => {
    const t = tokens[pos];
    if (t?.kind === '(') {
      pos++;
      const r = or();
      if (tokens[pos]?.kind !== ')') return undefined;
      pos++;
      return r;
    }
    const leftTok = tokens[pos];
    const left = value(tokens[pos++]);
    const op = tokens[pos++];
    const right = value(tokens[pos++]);
    if (!left || !right || op?.kind !== 'op') return undefined;
    const versions = ['python_version', 'python_full_version', 'implementation_version'].includes(leftTok!.value) || ['python_version', 'python_full_version', 'implementation_version'].includes(tokens[pos - 1]!.value);
    // `"3.8" < python_version` reads right to left.
    return compare(left.v, op.value, right.v, versions);
  };
  const and = (): boolean | undefined => {
    let r = atom();
    while (tokens[pos]?.kind === 'and') {
      pos++;
      const b = atom();
      r = r === undefined || b === undefined ? undefined : r && b;
    }
    return r;
  };
  const or = (): boolean | undefined => {
    let r = and();
    while (tokens[pos]?.kind === 'or') {
      pos++;
      const b = and();
      r = r === undefined || b === undefined ? undefined : r || b;
    }
    return r;
  };
  const result = or();
  return pos === tokens.length ? result : undefined;
}

/** The candidate Pythons under which a marker holds (all of them when there is no marker or it cannot be read). */
export function pythonsWhere(marker: string | undefined, candidates: readonly string[]): string[] {
  if (!marker) return [...candidates];
  return candidates.filter((p) => markerHolds(marker, p) !== false);
}
