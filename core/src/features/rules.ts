import type { FileHost, Problems } from '../rules/problem';
import { closest } from '../util/closest';
import { isAbsolute, join, normalize } from '../util/paths';
import { parseDuration } from '../util/values';
import type { FeatureCatalog, FeatureIndex } from './model';

export const FEATURE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const FEATURE_TYPES = ['int32', 'int64', 'float32', 'float64', 'bool', 'string', 'bytes', 'timestamp'] as const;

/** True for a scalar feature type or `array<T>` of one. */
export function isFeatureType(t: string): boolean {
  const m = /^array<\s*([a-z0-9]+)\s*>$/.exec(t.trim());
  return (FEATURE_TYPES as readonly string[]).includes(m ? m[1]! : t.trim());
}

export interface CatalogContext {
  catalog: FeatureCatalog;
  index: FeatureIndex;
  /** Absolute POSIX folder of the catalog file; file checks are skipped without it. */
  dir?: string;
  host?: FileHost;
  /** Absolute paths some pipeline in the workspace writes: a source may be produced by a task. */
  produced?: (absPath: string) => boolean;
}

/** Runs every semantic rule of docs/feature-catalog.md on one catalog file. */
export function checkCatalog(ctx: CatalogContext, out: Problems): void {
  const { catalog: c, index } = ctx;
  const badName = (kind: string, name: string, span: readonly [number, number]) => out.error('invalid-id', span, `${kind} name '${name}' is not valid: use letters, digits and '_', not starting with a digit.`);
  for (const e of c.entities.values()) if (!FEATURE_NAME.test(e.name)) badName('Entity', e.name, e.keySpan);
  for (const s of c.sources.values()) {
    if (!FEATURE_NAME.test(s.name)) badName('Source', s.name, s.keySpan);
    if (s.path && ctx.dir !== undefined && ctx.host && !s.path.value.includes('${{')) {
      const abs = isAbsolute(s.path.value) ? normalize(s.path.value) : join(ctx.dir, s.path.value);
      if (!ctx.host.exists(abs) && !ctx.produced?.(abs)) {
        out.warning('missing-source-path', s.path.span, `Source path '${s.path.value}' does not exist and no pipeline task writes it; fix the path or add the task that produces it.`);
      }
    }
  }
  for (const v of c.views.values()) {
    if (!FEATURE_NAME.test(v.name)) badName('Feature view', v.name, v.keySpan);
    const others = index.views(v.name).filter((d) => d.catalog !== c);
    if (others.length > 0) {
      out.error(
        'duplicate-feature-view',
        v.keySpan,
        `Feature view '${v.name}' is also defined in ${others.map((o) => relativeTo(c.uri, o.catalog.uri)).join(', ')}; view names are global across the workspace. Rename one of them.`,
      );
    }
    for (const e of v.entities) {
      if (!index.entity(e.value)) {
        const best = closest(e.value, index.entityNames());
        out.error(
          'unknown-entity',
          e.span,
          `Entity '${e.value}' is not defined.${best ? ` Did you mean '${best}'?` : ' Add it under entities.'}`,
          best ? [{ kind: 'replace', title: `Change to '${best}'`, newText: best }] : undefined,
        );
      }
    }
    if (v.source && !index.source(v.source.value)) {
      const best = closest(v.source.value, index.sourceNames());
      out.error(
        'unknown-source',
        v.source.span,
        `Source '${v.source.value}' is not defined.${best ? ` Did you mean '${best}'?` : ' Add it under sources.'}`,
        best ? [{ kind: 'replace', title: `Change to '${best}'`, newText: best }] : undefined,
      );
    }
    if (v.ttl) {
      if (typeof v.ttl.value === 'number') {
        out.error('invalid-ttl', v.ttl.span, `ttl ${v.ttl.value} has no unit; write e.g. '${v.ttl.value}d' or '${v.ttl.value}h'.`);
      } else if (parseDuration(v.ttl.value) === undefined) {
        out.error('invalid-ttl', v.ttl.span, `ttl '${v.ttl.value}' is not a duration; write e.g. '30d', '12h' or '90m'.`);
      }
    }
    for (const f of v.features.values()) {
      if (!FEATURE_NAME.test(f.name)) badName('Feature', f.name, f.keySpan);
      if (f.type && !isFeatureType(f.type.value)) {
        const best = closest(f.type.value, FEATURE_TYPES);
        out.error(
          'invalid-feature-type',
          f.type.span,
          `'${f.type.value}' is not a feature type; use one of ${FEATURE_TYPES.join(', ')} or array<T>.${best ? ` Did you mean '${best}'?` : ''}`,
          best ? [{ kind: 'replace', title: `Change to '${best}'`, newText: best }] : undefined,
        );
      }
    }
    checkTransformation(ctx, v.transformation, out);
  }
}

function checkTransformation(ctx: CatalogContext, t: { value: string; span: readonly [number, number] } | undefined, out: Problems): void {
  if (!t || ctx.dir === undefined || !ctx.host) return;
  const colon = t.value.lastIndexOf(':');
  const file = colon > 0 ? t.value.slice(0, colon) : t.value;
  const fn = colon > 0 ? t.value.slice(colon + 1) : undefined;
  const abs = isAbsolute(file) ? normalize(file) : join(ctx.dir, file);
  const read = ctx.host.readText(abs);
  if (!read.ok && read.missing) {
    out.warning('missing-transformation', t.span, `Transformation file '${file}' does not exist; create it or fix the path (written as file:function).`);
    return;
  }
  if (!read.ok) {
    out.warning('unreadable-file', t.span, `Transformation file '${file}' ${read.why}, so it was not checked; point transformation at a regular source file inside the workspace.`);
    return;
  }
  if (fn && !definesFunction(read.text, fn)) {
    out.warning('missing-transformation', t.span, `'${file}' defines no function '${fn}'; add it or fix the name after ':'.`);
  }
}

/** Whether a source file defines a function of that name (Python, JS/TS, SQL-ish and R forms). */
export function definesFunction(source: string, fn: string): boolean {
  const name = fn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|\\n)\\s*(async\\s+)?(def|function|fn|func|export function|export const|const|let|var)\\s+${name}\\b|\\b${name}\\s*(<-|=)\\s*function`).test(source);
}

/** `other` as a path relative to the folder of `from`, e.g. `../team-b/f.features.yaml`. */
function relativeTo(from: string, other: string): string {
  const a = normalize(from).split('/').slice(0, -1);
  const b = normalize(other).split('/');
  let i = 0;
  while (i < a.length && i < b.length - 1 && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
}
