/** Plain-text renderings of model versions, listings and checks for the terminal. */
import { formatBytes, headlineMetric, shortDigest as short, type CheckReport, type ModelVersion, type ModelsReport, type StaleReason } from '../../../core/src/catalog/index';
import type { Palette } from '../util/colors';

function ref(v: ModelVersion): string {
  return `${v.name}:${v.version}`;
}

function aliasText(v: ModelVersion, c: Palette): string {
  return v.aliases.map((a) => c.blue(`@${a}`)).join(' ');
}

/** One version in full, one line per artifact kind (continuation lines indented). */
export function formatVersion(v: ModelVersion, stale: StaleReason[], c: Palette): string {
  const out: string[] = [];
  const head = [c.bold(ref(v)), aliasText(v, c), c.dim(`registered ${v.createdAt}${v.definition.source === 'mlflow' ? ' · read from MLflow' : ''}`)].filter(Boolean);
  out.push(head.join('  '));
  const row = (kind: string, lines: string[]) => {
    lines.forEach((l, i) => out.push(`  ${(i === 0 ? kind : '').padEnd(13)} ${l}`));
    if (lines.length === 0) out.push(`  ${kind.padEnd(13)} ${c.dim('—')}`);
  };
  const d = v.definition;
  row('definition', [[d.framework, d.format, d.path].filter(Boolean).join(' · ') + (d.flavors ? ` · flavors ${Object.keys(d.flavors).join(', ')}` : '')]);
  const p = v.parameters;
  row('parameters', [
    p.kind === 'missing'
      ? `${p.path ?? '—'} ${c.dim(p.note ?? 'missing')}`
      : `${p.path} · ${formatBytes(p.size)} · sha256 ${short(p.sha256)}${p.stored ? c.dim(` · stored as ${p.stored}`) : p.files.length ? c.dim(` · ${p.files.length} files stored`) : ''}`,
  ]);
  row(
    'functions',
    (['featurize', 'predict'] as const).flatMap((r) => {
      const f = v.functions[r];
      return f ? [`${r.padEnd(9)} ${f.ref} · sha256 ${short(f.sha256)}`] : [];
    }),
  );
  const deps = v.dependencies;
  row('dependencies', [
    ...deps.manifests.map((m) => `${m.path} · sha256 ${short(m.sha256)}`),
    `${deps.interpreter.name} ${deps.interpreter.version ?? c.dim(deps.interpreter.note ?? 'unknown')}${deps.image ? ` · image ${deps.image}` : ''}`,
  ]);
  row('data', [
    ...v.data.inputs.map((i) => (i.kind === 'missing' ? `${i.path} ${c.dim('missing')}` : `${i.path} · ${formatBytes(i.size)} · sha256 ${short(i.sha256)}`)),
    ...v.data.features.map((f) => `feature view ${f.view} · fingerprint ${short(f.fingerprint)}${f.catalog ? c.dim(` · ${f.catalog}`) : ''}`),
  ]);
  const code = v.code;
  row('code', [
    code.repository
      ? `${code.commit ? `commit ${code.commit.slice(0, 12)}` : 'no commit'}${code.branch ? ` on ${code.branch}` : ''}${code.remote ? ` · ${code.remote}` : ''} · ${code.dirty ? c.yellow(`dirty (${diffSize(code.diff)})`) : 'clean'}`
      : c.dim(code.note ?? 'not a git repository'),
    ...(code.repository && code.note ? [c.dim(code.note)] : []),
  ]);
  const e = v.experiment;
  const params = Object.entries(e.params)
    .map(([k, x]) => `${k}=${x}`)
    .join(' ');
  const metrics = Object.entries(e.metrics)
    .map(([k, x]) => `${k}=${x}`)
    .join(' ');
  row('experiment', [
    [e.runId && `run ${e.runId}`, e.pipeline && `pipeline ${e.pipeline}`, e.task && `task ${e.task}`, e.durationMs !== null ? `${(e.durationMs / 1000).toFixed(1)} s` : null].filter(Boolean).join(' · '),
    ...(params ? [`params  ${params}`] : []),
    ...(metrics ? [`metrics ${metrics}`] : []),
    ...(e.log ? [c.dim(`log ${e.log}`)] : []),
    ...(e.note ? [c.dim(e.note)] : []),
  ]);
  row(
    'tags',
    Object.keys(v.tags).length
      ? [
          Object.entries(v.tags)
            .map(([k, x]) => `${k}=${x}`)
            .join(' '),
        ]
      : [],
  );
  if (stale.length > 0) {
    out.push('', c.yellow(`stale: ${stale.length} change${stale.length === 1 ? '' : 's'} since training`));
    for (const s of stale) out.push(`  ${c.yellow('!')} ${s.message}`);
  }
  return `${out.join('\n')}\n`;
}

function diffSize(diff: string | null): string {
  if (!diff) return 'untracked files only';
  const lines = diff.split('\n').filter((l) => /^[+-](?![+-])/.test(l)).length;
  return `${lines} changed line${lines === 1 ? '' : 's'} recorded`;
}

/** Every model, one line per version: number, aliases, headline metric, age, staleness. */
export function formatList(r: ModelsReport, c: Palette): string {
  if (r.models.length === 0) {
    return 'No models yet. Add a model: block to a task of a pipeline and run it (mlops run FILE); each success registers a version.\n';
  }
  const out: string[] = [];
  for (const m of r.models) {
    out.push(`${c.bold(m.name)}${m.source === 'mlflow' ? c.dim('  (MLflow, read-only)') : ''}`);
    for (const { version: v, stale } of m.versions) {
      const h = headlineMetric(v.experiment.metrics);
      const bits = [`  v${v.version}`.padEnd(6), aliasText(v, c), h ? `${h.name}=${h.value}` : '', c.dim(v.createdAt), stale.length ? c.yellow(`stale: ${stale.map((s) => s.message).join('; ')}`) : ''];
      out.push(bits.filter(Boolean).join('  '));
    }
  }
  for (const p of r.problems) out.push(c.yellow(`warning: ${p}`));
  return `${out.join('\n')}\n`;
}

export function formatCheck(r: CheckReport, c: Palette): string {
  if (r.checked.length === 0) return 'No model versions to check.\n';
  const out: string[] = [];
  for (const e of r.checked) {
    const name = `${e.name}:${e.version}${e.aliases.length ? ` (${e.aliases.map((a) => `@${a}`).join(' ')})` : ''}`;
    if (e.reasons.length === 0) out.push(`${c.green('✓')} ${name} is consistent with the workspace`);
    else {
      out.push(`${c.red('✗')} ${name} is stale:`);
      for (const s of e.reasons) out.push(`    ${s.message}`);
    }
  }
  const n = r.checked.filter((e) => e.reasons.length > 0).length;
  out.push('', n === 0 ? 'All checked versions match their feature views and functions.' : `${n} stale version${n === 1 ? '' : 's'}: retrain, or restore what changed.`);
  return `${out.join('\n')}\n`;
}
