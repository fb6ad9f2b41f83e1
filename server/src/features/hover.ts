import { MarkupKind, type Hover } from 'vscode-languageserver';
import { effective, effectiveResources, nodeAt, schemaDocAt, schemaPath, symbolAt, type Analysis, type FeatureView, type Param, type Pipeline, type PipelineGraph, type Task } from '../../../core/src/index';
import { baseName, type FeatureContext } from './context';

/** Hover at `offset`: a named thing's facts, else the schema's text for the key. */
export function hover(ctx: FeatureContext, a: Analysis, offset: number): Hover | null {
  const lines = a.parsed.lines;
  const occ = symbolAt(a, offset);
  if (occ) {
    const value = describe(ctx, a, occ.key);
    if (value) return { contents: { kind: MarkupKind.Markdown, value }, range: lines.range(occ.span) };
  }
  const hit = nodeAt(a.parsed.root, offset);
  if (hit?.onKey && hit.entry) {
    const doc = schemaDocAt(a.kind, schemaPath(hit.path));
    if (doc) {
      const value = [doc.title ? `**${doc.title}**` : undefined, doc.description].filter((s) => s !== undefined).join('\n\n');
      return { contents: { kind: MarkupKind.Markdown, value }, range: lines.range(hit.entry.keySpan) };
    }
  }
  return null;
}

type Key = NonNullable<ReturnType<typeof symbolAt>>['key'];

function describe(ctx: FeatureContext, a: Analysis, key: Key): string | undefined {
  const p = a.pipeline;
  switch (key.kind) {
    case 'task': {
      const t = p?.tasks.get(key.id);
      return t && p && a.graph ? taskHover(p, a.graph, t) : undefined;
    }
    case 'param': {
      const param = p?.params.get(key.name);
      return param ? paramHover(param) : undefined;
    }
    case 'output': {
      const t = p?.tasks.get(key.task);
      const o = t?.outputs.find((x, i) => x.name === key.name || (x.name === undefined && String(i) === key.name));
      return o ? `**output** \`${key.name}\` of task \`${key.task}\`: \`${o.path.value}\`${o.kind ? ` (${o.kind})` : ''}` : undefined;
    }
    case 'view': {
      const found = ctx.ws.features().views(key.name)[0];
      return found ? viewHover(found.view, found.catalog.uri) : undefined;
    }
    case 'feature': {
      const f = ctx.ws.features().view(key.view)?.features.get(key.name);
      if (!f) return undefined;
      return [`**feature** \`${key.view}.${key.name}\`${f.type ? `: \`${f.type.value}\`` : ''}`, f.description].filter(Boolean).join('\n\n');
    }
    case 'entity': {
      const e = ctx.ws.features().entity(key.name);
      if (!e) return undefined;
      return [`**entity** \`${e.name}\``, e.description, `- **join keys**: ${e.joinKeys.map(code).join(', ') || '—'}`].filter(Boolean).join('\n\n');
    }
    case 'source': {
      const s = ctx.ws.features().source(key.name);
      if (!s) return undefined;
      const facts = [s.path ? `- **path**: ${code(s.path.value)}` : undefined, s.timestampField ? `- **timestamp field**: ${code(s.timestampField)}` : undefined].filter(Boolean);
      return [`**source** \`${s.name}\``, s.description, facts.join('\n')].filter(Boolean).join('\n\n');
    }
  }
}

function code(s: string): string {
  return `\`${s.replace(/`/g, "'")}\``;
}

/** A task: its command, dependencies, files and resources (defaults applied). */
export function taskHover(p: Pipeline, g: PipelineGraph, t: Task): string {
  const parts = [`**task** \`${t.id}\``];
  const description = effective(p, t, 'description')?.value;
  if (description) parts.push(description);
  if (t.run) parts.push('```sh\n' + t.run.value.trim() + '\n```');
  const facts: string[] = [];
  const declared = t.needs.map((n) => n.value);
  const inferred = g.dag.parents(t.id).filter((id) => !declared.includes(id));
  if (declared.length > 0) facts.push(`- **needs**: ${declared.map(code).join(', ')}`);
  if (inferred.length > 0) facts.push(`- **also after** (inferred): ${inferred.map(code).join(', ')}`);
  if (t.inputs.length > 0) facts.push(`- **inputs**: ${t.inputs.map((i) => code(i.name ? `${i.name}: ${i.path.value}` : i.path.value)).join(', ')}`);
  if (t.outputs.length > 0) facts.push(`- **outputs**: ${t.outputs.map((o) => code(o.name ? `${o.name}: ${o.path.value}` : o.path.value)).join(', ')}`);
  const r = effectiveResources(p, t);
  const res = (['cpu', 'memory', 'gpu'] as const).filter((k) => r[k] !== undefined).map((k) => `${k} ${r[k]!.value}`);
  if (res.length > 0) facts.push(`- **resources**: ${res.join(', ')}`);
  if (facts.length > 0) parts.push(facts.join('\n'));
  return parts.join('\n\n');
}

export function paramHover(param: Param): string {
  const head = `**param** \`${param.name}\`: ${param.effectiveType}${param.default ? ` = \`${JSON.stringify(param.default.value)}\`` : ''}`;
  const parts = [head];
  if (param.description) parts.push(param.description);
  if (param.enum) parts.push(`Allowed values: ${param.enum.map((e) => code(JSON.stringify(e.value))).join(', ')}`);
  parts.push(`Use as \`\${{ params.${param.name} }}\` or \`$MLOPS_PARAM_${param.name.toUpperCase()}\`.`);
  return parts.join('\n\n');
}

export function viewHover(v: FeatureView, file: string): string {
  const parts = [`**feature view** \`${v.name}\``];
  if (v.description) parts.push(v.description);
  const facts: string[] = [];
  if (v.owner) facts.push(`- **owner**: ${v.owner}`);
  if (v.ttl) facts.push(`- **ttl**: ${v.ttl.value}`);
  if (v.source) facts.push(`- **source**: ${code(v.source.value)}`);
  if (v.entities.length > 0) facts.push(`- **entities**: ${v.entities.map((e) => code(e.value)).join(', ')}`);
  if (v.transformation) facts.push(`- **transformation**: ${code(v.transformation.value)}`);
  if (facts.length > 0) parts.push(facts.join('\n'));
  const features = [...v.features.values()].map((f) => `- ${code(f.name)}${f.type ? `: ${f.type.value}` : ''}${f.description ? ` — ${f.description}` : ''}`);
  if (features.length > 0) parts.push(`**features**\n${features.join('\n')}`);
  parts.push(`Defined in ${baseName(file)}`);
  return parts.join('\n\n');
}
