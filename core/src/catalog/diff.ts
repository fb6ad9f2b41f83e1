/**
 * Side-by-side comparison of two model versions: params, metrics, data, code and the
 * model itself. Values are display strings so the CLI, the JSON output and the editor's
 * comparison document show the same thing.
 */
import { formatModelRef } from './model-ref';
import type { ModelVersion } from './version';

/** One compared fact; `null` means the version does not have it. */
export interface DiffRow {
  key: string;
  a: string | null;
  b: string | null;
  changed: boolean;
}

export type DiffSectionTitle = 'params' | 'metrics' | 'data' | 'code' | 'model';

export interface DiffSection {
  title: DiffSectionTitle;
  rows: DiffRow[];
}

export interface VersionDiff {
  a: string;
  b: string;
  sections: DiffSection[];
  /** How many rows differ in all. */
  changed: number;
}

const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 12) : null);

function rows(a: Record<string, string | null>, b: Record<string, string | null>): DiffRow[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.map((key) => {
    const av = a[key] ?? null;
    const bv = b[key] ?? null;
    return { key, a: av, b: bv, changed: av !== bv };
  });
}

function record<T>(items: readonly T[], key: (t: T) => string, value: (t: T) => string | null): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const i of items) out[key(i)] = value(i);
  return out;
}

function metricText(n: number | undefined): string | null {
  return n === undefined ? null : String(n);
}

/** Compares version `a` with version `b`; every row is kept, `changed` marks the differences. */
export function diffVersions(a: ModelVersion, b: ModelVersion): VersionDiff {
  const params = rows(Object.fromEntries(Object.entries(a.experiment.params).map(([k, v]) => [k, String(v)])), Object.fromEntries(Object.entries(b.experiment.params).map(([k, v]) => [k, String(v)])));
  const metricKeys = [...new Set([...Object.keys(a.experiment.metrics), ...Object.keys(b.experiment.metrics)])];
  const metrics: DiffRow[] = metricKeys.map((key) => {
    const av = a.experiment.metrics[key];
    const bv = b.experiment.metrics[key];
    let bText = metricText(bv);
    if (av !== undefined && bv !== undefined && av !== bv) {
      const d = Math.round((bv - av) * 1e6) / 1e6;
      bText = `${bText} (${d > 0 ? '+' : ''}${d})`;
    }
    return { key, a: metricText(av), b: bText, changed: av !== bv };
  });
  const data = [
    ...rows(
      record(
        a.data.inputs,
        (i) => i.path,
        (i) => (i.kind === 'missing' ? 'missing' : short(i.sha256)),
      ),
      record(
        b.data.inputs,
        (i) => i.path,
        (i) => (i.kind === 'missing' ? 'missing' : short(i.sha256)),
      ),
    ),
    ...rows(
      record(
        a.data.features,
        (f) => `feature view ${f.view}`,
        (f) => short(f.fingerprint),
      ),
      record(
        b.data.features,
        (f) => `feature view ${f.view}`,
        (f) => short(f.fingerprint),
      ),
    ),
  ];
  const fn = (v: ModelVersion, role: 'featurize' | 'predict') => {
    const f = v.functions[role];
    return f ? `${f.ref} ${short(f.sha256) ?? 'missing'}` : null;
  };
  const code = [
    ...rows(
      { commit: short(a.code.commit), branch: a.code.branch, dirty: a.code.repository ? (a.code.dirty ? 'yes' : 'no') : null },
      { commit: short(b.code.commit), branch: b.code.branch, dirty: b.code.repository ? (b.code.dirty ? 'yes' : 'no') : null },
    ),
    ...rows({ featurize: fn(a, 'featurize'), predict: fn(a, 'predict') }, { featurize: fn(b, 'featurize'), predict: fn(b, 'predict') }),
    ...rows(
      record(
        a.dependencies.manifests,
        (m) => m.path,
        (m) => short(m.sha256),
      ),
      record(
        b.dependencies.manifests,
        (m) => m.path,
        (m) => short(m.sha256),
      ),
    ),
    ...rows({ interpreter: a.dependencies.interpreter.version }, { interpreter: b.dependencies.interpreter.version }),
  ];
  const model = rows(
    { parameters: short(a.parameters.sha256), framework: a.definition.framework, format: a.definition.format },
    { parameters: short(b.parameters.sha256), framework: b.definition.framework, format: b.definition.format },
  );
  const sections: DiffSection[] = [
    { title: 'params', rows: params },
    { title: 'metrics', rows: metrics },
    { title: 'data', rows: data },
    { title: 'code', rows: code },
    { title: 'model', rows: model },
  ];
  return {
    a: formatModelRef({ name: a.name, kind: 'version', version: a.version }),
    b: formatModelRef({ name: b.name, kind: 'version', version: b.version }),
    sections,
    changed: sections.reduce((n, s) => n + s.rows.filter((r) => r.changed).length, 0),
  };
}

/**
 * The comparison as aligned plain text: one block per section, a `*` before each row that
 * differs, `—` for a fact one version does not have.
 */
export function renderDiff(d: VersionDiff): string {
  const all = d.sections.flatMap((s) => s.rows);
  const kw = Math.max(3, ...all.map((r) => r.key.length));
  const aw = Math.max(d.a.length, ...all.map((r) => (r.a ?? '—').length));
  const line = (mark: string, k: string, a: string, b: string) => `${mark} ${k.padEnd(kw)}  ${a.padEnd(aw)}  ${b}`.trimEnd();
  const out = [`Comparing ${d.a} with ${d.b}: ${d.changed === 0 ? 'no differences' : `${d.changed} difference${d.changed === 1 ? '' : 's'}`}`, ''];
  out.push(line(' ', '', d.a, d.b));
  for (const s of d.sections) {
    out.push('', s.title);
    if (s.rows.length === 0) out.push('  (none)');
    for (const r of s.rows) out.push(line(r.changed ? '*' : ' ', r.key, r.a ?? '—', r.b ?? '—'));
  }
  return `${out.join('\n')}\n`;
}
