import type { Location, Range } from 'vscode-languageserver';
import { FEATURE_NAME, isFileLocal, PARAM_NAME, sameSymbol, symbolAt, TASK_ID, type Analysis, type SymbolKey } from '../../../core/src/index';
import type { FeatureContext } from './context';

/** One place a symbol is written, ready for references and rename. */
export interface SymbolLocation {
  uri: string;
  range: Range;
  decl: boolean;
  /** The text at the range (an upper-cased param name inside `MLOPS_PARAM_…`). */
  text: string;
}

/** The symbol under the cursor, with the range of its name. */
export interface SymbolHit {
  key: SymbolKey;
  range: Range;
  text: string;
}

export function symbolHit(a: Analysis, offset: number): SymbolHit | null {
  const occ = symbolAt(a, offset);
  if (!occ) return null;
  return { key: occ.key, range: a.parsed.lines.range(occ.span), text: a.parsed.text.slice(occ.span[0], occ.span[1]) };
}

function nameOf(key: SymbolKey): string {
  return key.kind === 'task' ? key.id : key.name;
}

/** Which documents can mention a symbol: its own pipeline for local names, else every file of the right kinds. */
function candidates(ctx: FeatureContext, key: SymbolKey, uri: string | undefined): string[] {
  if (isFileLocal(key)) return uri ? [ctx.pathOf(uri)] : [];
  const kinds = key.kind === 'entity' || key.kind === 'source' ? (['features'] as const) : (['pipeline', 'features'] as const);
  const name = nameOf(key);
  return kinds.flatMap((k) => ctx.ws.paths(k)).filter((p) => ctx.ws.text(p)?.includes(name));
}

/** Every occurrence of a symbol among this lane's documents (`only` restricts to some URIs). */
export function occurrences(ctx: FeatureContext, key: SymbolKey, uri: string | undefined, only?: string[]): SymbolLocation[] {
  const allowed = only ? new Set(only) : undefined;
  const out: SymbolLocation[] = [];
  for (const path of candidates(ctx, key, uri)) {
    const docUri = ctx.uriOf(path);
    if (allowed && !allowed.has(docUri)) continue;
    const a = ctx.analyze(path);
    if (!a) continue;
    for (const o of ctx.occurrencesOf(path)) {
      if (!sameSymbol(o.key, key)) continue;
      out.push({ uri: docUri, range: a.parsed.lines.range(o.span), decl: o.decl, text: a.parsed.text.slice(o.span[0], o.span[1]) });
    }
  }
  return out;
}

/** Go to definition: the declaration(s) of the symbol under the cursor. */
export function definition(ctx: FeatureContext, a: Analysis, uri: string, offset: number): Location[] {
  const hit = symbolAt(a, offset);
  if (!hit) return [];
  return occurrences(ctx, hit.key, uri)
    .filter((o) => o.decl)
    .map((o) => ({ uri: o.uri, range: o.range }));
}

/** Why `name` cannot be the new name of `key`, or undefined when it can. */
export function renameProblem(ctx: FeatureContext, key: SymbolKey, name: string, uri: string): string | undefined {
  switch (key.kind) {
    case 'task':
      if (!TASK_ID.test(name)) return `'${name}' is not a valid task id: use lower-case letters, digits, '-' and '_', starting and ending with a letter or digit.`;
      break;
    case 'param':
      if (!PARAM_NAME.test(name)) return `'${name}' is not a valid param name: use letters, digits and '_', not starting with a digit.`;
      break;
    case 'output':
      if (!/^[A-Za-z_][\w-]*$/.test(name)) return `'${name}' is not a valid output name: use letters, digits, '-' and '_'.`;
      break;
    default:
      if (!FEATURE_NAME.test(name)) return `'${name}' is not a valid ${key.kind} name: use letters, digits and '_', not starting with a digit.`;
  }
  const renamed: SymbolKey = key.kind === 'task' ? { kind: 'task', id: name } : { ...key, name };
  const taken = occurrences(ctx, renamed, uri).some((o) => o.decl);
  return taken ? `A ${key.kind} named '${name}' already exists; choose another name.` : undefined;
}

/** The edits of a rename: every occurrence gets the new name (upper-cased inside MLOPS_PARAM_…). */
export function renameEdits(locations: SymbolLocation[], key: SymbolKey, name: string): Record<string, { range: Range; newText: string }[]> {
  const old = nameOf(key);
  const changes: Record<string, { range: Range; newText: string }[]> = {};
  for (const o of locations) {
    const newText = o.text === old ? name : name.toUpperCase();
    (changes[o.uri] ??= []).push({ range: o.range, newText });
  }
  return changes;
}
