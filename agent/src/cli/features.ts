import type { FeatureViewReport, FeaturesReport } from '../../../core/src/catalog/index';
import { featuresReport } from '../registry/feature-report';
import { STORE_OPTIONS, STORE_USAGE, storeConfig } from '../state/config';
import { openRegistry } from '../state/open';
import { format, parseSubcommand, UsageError } from '../util/args';
import { palette, type Palette } from '../util/colors';
import { workspaceRoot } from '../util/files';
import type { Command } from './command';

export const featuresCommand: Command = {
  name: 'features',
  summary: 'Feature catalog: list the views of every *.features.yaml, or show one with who uses it',
  usage: `mlops features list [--format text|json] ${STORE_USAGE}\n       mlops features show VIEW [--format text|json] ${STORE_USAGE}`,
  async run(argv) {
    const spec = { values: ['format', ...STORE_OPTIONS] };
    const { sub, args } = parseSubcommand(argv, { list: spec, show: spec });
    const fmt = format(args, ['text', 'json'] as const, 'text');
    const cwd = process.cwd();
    const registry = await openRegistry(storeConfig(cwd, args), false);
    const c = palette(process.stdout);
    try {
      const snapshot = await registry?.snapshot();
      const report = () => featuresReport(workspaceRoot(cwd), snapshot);
      switch (sub) {
        case 'list': {
          if (args.positionals.length > 0) throw new UsageError(`Unexpected argument '${args.positionals[0]}'; list takes none.`);
          const r = report();
          process.stdout.write(fmt === 'json' ? `${JSON.stringify(r, null, 2)}\n` : formatCatalogs(r, c));
          return 0;
        }
        case 'show': {
          const [name, ...extra] = args.positionals;
          if (!name || extra.length > 0) throw new UsageError('Name one feature view, e.g. mlops features show customer_stats.');
          const r = report();
          const views = r.catalogs.flatMap((x) => x.views);
          const v = views.find((x) => x.name === name);
          if (!v) {
            const known = views.map((x) => x.name);
            process.stderr.write(`mlops features show: there is no feature view '${name}'; ${known.length ? `the catalog has ${known.join(', ')}` : 'no *.features.yaml defines any view'}.\n`);
            return 1;
          }
          process.stdout.write(fmt === 'json' ? `${JSON.stringify(v, null, 2)}\n` : formatView(v, c));
          return 0;
        }
      }
    } finally {
      await registry?.close();
    }
  },
};

function formatCatalogs(r: FeaturesReport, c: Palette): string {
  if (r.catalogs.length === 0) return 'No feature catalog yet. Create a file named NAME.features.yaml with entities, sources and feature_views (see mlops features --help).\n';
  const out: string[] = [];
  for (const cat of r.catalogs) {
    out.push(c.bold(cat.file) + (cat.project ? c.dim(`  project ${cat.project}`) : ''));
    for (const e of cat.entities) out.push(`  entity  ${e.name} ${c.dim(`(join keys ${e.joinKeys.join(', ') || '—'})`)}`);
    for (const s of cat.sources) out.push(`  source  ${s.name} ${c.dim(s.path ?? '')}`);
    for (const v of cat.views) {
      const used = v.usedBy.tasks.length + v.usedBy.models.length;
      out.push(`  view    ${v.name} ${c.dim(`${v.features.length} features${v.owner ? ` · owner ${v.owner}` : ''}${v.ttl !== null ? ` · ttl ${v.ttl}` : ''}${used ? ` · used by ${used}` : ''}`)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function formatView(v: FeatureViewReport, c: Palette): string {
  const out = [`${c.bold(v.name)}  ${c.dim(`${v.location.file}:${v.location.line}`)}`];
  if (v.description) out.push(`  ${v.description}`);
  out.push(`  entities        ${v.entities.join(', ') || '—'}`);
  out.push(`  source          ${v.source ?? '—'}`);
  out.push(`  ttl             ${v.ttl ?? '—'}`);
  out.push(`  transformation  ${v.transformation ? `${v.transformation.ref}${v.transformation.exists ? '' : c.yellow(' (file missing)')}` : '—'}`);
  out.push(`  owner           ${v.owner ?? '—'}`);
  out.push(
    `  tags            ${
      Object.entries(v.tags)
        .map(([k, x]) => `${k}=${x}`)
        .join(' ') || '—'
    }`,
  );
  out.push(`  fingerprint     ${v.fingerprint.slice(0, 12)}`);
  out.push('  features');
  const w = Math.max(...v.features.map((f) => f.name.length), 4);
  for (const f of v.features) out.push(`    ${f.name.padEnd(w)}  ${(f.type ?? '?').padEnd(10)} ${c.dim(f.description ?? '')}`.trimEnd());
  out.push('  used by');
  for (const t of v.usedBy.tasks) out.push(`    task ${t.pipeline}/${t.task} ${c.dim(`${t.location.file}:${t.location.line}`)}`);
  for (const m of v.usedBy.models) out.push(`    model ${m.name}:${m.version}${m.aliases.map((a) => ` @${a}`).join('')}${m.stale ? c.yellow(' (stale: the view changed since)') : ''}`);
  if (v.usedBy.tasks.length + v.usedBy.models.length === 0) out.push(`    ${c.dim('nothing yet')}`);
  return `${out.join('\n')}\n`;
}
