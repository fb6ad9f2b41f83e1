import { SymbolKind, type DocumentSymbol, type SymbolInformation } from 'vscode-languageserver';
import type { Analysis, LineIndex, Span, YEntry, YValue } from '../../../core/src/index';
import { baseName, oneLine, type FeatureContext } from './context';

/** From the key to the end of its value, without the line breaks a block value ends with. */
function entrySpan(text: string, e: YEntry): Span {
  let end = e.value ? Math.max(e.value.span[1], e.keySpan[1]) : e.keySpan[1];
  while (end > e.keySpan[1] && /\s/.test(text[end - 1]!)) end--;
  return [e.keySpan[0], end];
}

function symbol(lines: LineIndex, e: YEntry, kind: SymbolKind, detail?: string, children?: DocumentSymbol[]): DocumentSymbol {
  const s: DocumentSymbol = { name: e.key || '(empty key)', kind, range: lines.range(entrySpan(lines.text, e)), selectionRange: lines.range(e.keySpan) };
  if (detail) s.detail = detail;
  if (children) s.children = children;
  return s;
}

function entries(v: YValue | null): YEntry[] {
  return v?.kind === 'map' ? v.entries : [];
}

const PIPELINE_SECTIONS: Record<string, SymbolKind> = {
  params: SymbolKind.Namespace,
  defaults: SymbolKind.Object,
  schedule: SymbolKind.Event,
  tasks: SymbolKind.Namespace,
};

const CATALOG_SECTIONS: Record<string, SymbolKind> = {
  entities: SymbolKind.Namespace,
  sources: SymbolKind.Namespace,
  feature_views: SymbolKind.Namespace,
};

/** The outline: top-level keys, with params, tasks, entities, sources, views and features below them. */
export function documentSymbols(a: Analysis): DocumentSymbol[] {
  const lines = a.parsed.lines;
  const out: DocumentSymbol[] = [];
  for (const e of entries(a.parsed.root)) {
    if (a.kind === 'pipeline') {
      const p = a.pipeline;
      if (e.key === 'params') {
        out.push(
          symbol(
            lines,
            e,
            SymbolKind.Namespace,
            undefined,
            entries(e.value).map((x) => symbol(lines, x, SymbolKind.Variable, p?.params.get(x.key)?.effectiveType)),
          ),
        );
      } else if (e.key === 'tasks') {
        out.push(
          symbol(
            lines,
            e,
            SymbolKind.Namespace,
            `${entries(e.value).length} tasks`,
            entries(e.value).map((x) => {
              const run = p?.tasks.get(x.key)?.run?.value;
              return symbol(lines, x, SymbolKind.Function, run ? oneLine(run) : undefined);
            }),
          ),
        );
      } else out.push(symbol(lines, e, PIPELINE_SECTIONS[e.key] ?? SymbolKind.Property));
      continue;
    }
    if (e.key === 'entities')
      out.push(
        symbol(
          lines,
          e,
          SymbolKind.Namespace,
          undefined,
          entries(e.value).map((x) => symbol(lines, x, SymbolKind.Struct)),
        ),
      );
    else if (e.key === 'sources')
      out.push(
        symbol(
          lines,
          e,
          SymbolKind.Namespace,
          undefined,
          entries(e.value).map((x) => symbol(lines, x, SymbolKind.Interface)),
        ),
      );
    else if (e.key === 'feature_views') {
      out.push(
        symbol(
          lines,
          e,
          SymbolKind.Namespace,
          undefined,
          entries(e.value).map((v) => {
            const features = entries(v.value).find((f) => f.key === 'features');
            const view = a.catalog?.views.get(v.key);
            return symbol(
              lines,
              v,
              SymbolKind.Class,
              view?.owner,
              entries(features?.value ?? null).map((f) => symbol(lines, f, SymbolKind.Field, view?.features.get(f.key)?.type?.value)),
            );
          }),
        ),
      );
    } else out.push(symbol(lines, e, CATALOG_SECTIONS[e.key] ?? SymbolKind.Property));
  }
  return out;
}

/** True when the letters of `query` appear in `name` in order (case-insensitive). */
export function fuzzyMatch(query: string, name: string): boolean {
  const q = query.toLowerCase();
  const n = name.toLowerCase();
  let i = 0;
  for (let j = 0; j < n.length && i < q.length; j++) if (n[j] === q[i]) i++;
  return i === q.length;
}

/** Tasks, params, views, features, entities and sources of the lane's documents matching `query`. */
export function workspaceSymbols(ctx: FeatureContext, query: string, only?: string[], limit = 500): SymbolInformation[] {
  const allowed = only ? new Set(only) : undefined;
  const out: SymbolInformation[] = [];
  const paths = [...ctx.ws.paths('pipeline'), ...ctx.ws.paths('features')].sort();
  for (const path of paths) {
    const uri = ctx.uriOf(path);
    if (allowed && !allowed.has(uri)) continue;
    const a = ctx.analyze(path);
    if (!a) continue;
    const container = (a.kind === 'pipeline' ? a.pipeline?.name?.value : a.catalog?.project) ?? baseName(path);
    for (const o of ctx.occurrencesOf(path)) {
      if (!o.decl) continue;
      const k = o.key;
      let name: string;
      let kind: SymbolKind;
      let inside = container;
      switch (k.kind) {
        case 'task':
          [name, kind] = [k.id, SymbolKind.Function];
          break;
        case 'param':
          [name, kind] = [k.name, SymbolKind.Variable];
          break;
        case 'view':
          [name, kind] = [k.name, SymbolKind.Class];
          break;
        case 'feature':
          [name, kind, inside] = [k.name, SymbolKind.Field, k.view];
          break;
        case 'entity':
          [name, kind] = [k.name, SymbolKind.Struct];
          break;
        case 'source':
          [name, kind] = [k.name, SymbolKind.Interface];
          break;
        case 'output':
          continue;
      }
      if (!fuzzyMatch(query, name)) continue;
      out.push({ name, kind, containerName: inside, location: { uri, range: a.parsed.lines.range(o.span) } });
      if (out.length >= limit) return out;
    }
  }
  return out;
}
