/**
 * The language features over one Workspace. It runs inside a lane (a worker thread), never
 * on the thread that speaks LSP, so a slow analysis cannot hold up the connection.
 * Every method takes and returns plain data, because calls arrive by postMessage.
 */
import type { CodeAction, CodeLens, CompletionItem, Diagnostic, DocumentSymbol, Hover, Location, Position, Range, SymbolInformation } from 'vscode-languageserver';
import {
  allOccurrences,
  compareDiagnostics,
  dagOf,
  documentKind,
  EXPORT_TARGETS,
  exportDiagnostics,
  exportSource,
  filesRead,
  usesFeatures,
  Workspace,
  type Analysis,
  type DagResult,
  type Diagnostic as CoreDiagnostic,
  type ExportTargetId,
  type Occurrence,
  type StatusParams,
  type SymbolKey,
} from '../../../core/src/index';
import { relativeInside } from '../../../core/src/util/paths';
import { withDetails } from '../../../core/src/query/dag-details';
import { codeActions } from '../features/code-actions';
import { codeLenses } from '../features/code-lens';
import { complete } from '../features/completion';
import type { FeatureContext } from '../features/context';
import { statusOf, toLspDiagnostic } from '../features/diagnostics';
import { hover } from '../features/hover';
import { definition, occurrences, renameProblem, symbolHit, type SymbolHit, type SymbolLocation } from '../features/navigation';
import { documentSymbols, workspaceSymbols } from '../features/symbols';
import { uriToPath } from '../util/uri';
import { NodeFileHost } from './host';

export interface EngineOptions {
  /** Absolute POSIX path of the workspace root (outputs may not leave it). */
  root?: string;
  /** Every workspace folder (absolute POSIX paths): files read for checks must lie inside one. */
  folders?: string[];
  snippets: boolean;
  /** `mlops.export.target`: the engine whose export checks join the diagnostics; none when undefined. */
  exportTarget?: ExportTargetId;
}

/** The result of checking one document. */
export interface Validation {
  diagnostics: Diagnostic[];
  status: StatusParams;
  /** A pipeline that lists feature views: catalog edits can change its diagnostics. */
  usesFeatures: boolean;
  /** Absolute paths of files on disk the checks read (inputs, sources, transformations). */
  files: string[];
}

export class Engine {
  private ws: Workspace;
  private readonly host = new NodeFileHost();
  private readonly uris = new Map<string, string>();
  private readonly occCache = new Map<string, { text: string; list: Occurrence[] }>();
  private readonly ctx: FeatureContext;
  private options: EngineOptions = { snippets: false };
  private configured = false;
  private readonly exportChecks = new WeakMap<Analysis, { target: ExportTargetId; diagnostics: CoreDiagnostic[] }>();

  /** `progress` is told which document is about to be analysed, so a stuck lane knows whom to blame. */
  constructor(private readonly progress: (uri: string) => void = () => undefined) {
    this.ws = new Workspace({ host: this.host });
    const self = this;
    this.ctx = {
      get ws() {
        return self.ws;
      },
      analyze: (path) => this.analyzePath(path),
      uriOf: (path) => this.uris.get(path) ?? path,
      pathOf: (uri) => uriToPath(uri),
      occurrencesOf: (path) => this.occurrencesOf(path),
      get snippets() {
        return self.options.snippets;
      },
    };
  }

  /** Sets the root and client capabilities; documents already known are kept. */
  configure(options: EngineOptions): void {
    const before = this.options;
    this.options = options;
    // Another export target changes what validate adds, not the workspace: keep the analyses.
    if (before.root === options.root && String(before.folders) === String(options.folders) && this.configured) return;
    this.configured = true;
    this.host.setFolders(options.folders ?? (options.root ? [options.root] : []));
    const old = this.ws;
    this.ws = new Workspace({ host: this.host, ...(options.root ? { root: options.root } : {}) });
    for (const path of old.paths()) this.ws.set(path, old.text(path)!);
  }

  set(uri: string, text: string): void {
    const path = uriToPath(uri);
    if (!documentKind(path)) return;
    this.uris.set(path, uri);
    this.ws.set(path, text);
  }

  delete(uri: string): void {
    const path = uriToPath(uri);
    this.uris.delete(path);
    this.occCache.delete(path);
    this.ws.delete(path);
  }

  /** The document was closed in the editor: keep its text, drop its analysis. */
  release(uri: string): void {
    const path = uriToPath(uri);
    this.occCache.delete(path);
    this.ws.release(path);
  }

  /** Files were created, changed or deleted on disk: existence and content checks run again. */
  filesChanged(): void {
    this.host.forget();
    this.ws.filesChanged();
  }

  validate(uri: string): Validation | null {
    const a = this.analyze(uri);
    if (!a) return null;
    const all = this.withExportChecks(a);
    return { diagnostics: all.map(toLspDiagnostic), status: statusOf(uri, a, all), usesFeatures: usesFeatures(a), files: filesRead(a) };
  }

  completion(uri: string, pos: Position): CompletionItem[] {
    const a = this.analyze(uri);
    return a ? complete(this.ctx, a, a.parsed.lines.offset(pos)) : [];
  }

  hover(uri: string, pos: Position): Hover | null {
    const a = this.analyze(uri);
    return a ? hover(this.ctx, a, a.parsed.lines.offset(pos)) : null;
  }

  definition(uri: string, pos: Position): Location[] {
    const a = this.analyze(uri);
    return a ? definition(this.ctx, a, uri, a.parsed.lines.offset(pos)) : [];
  }

  symbolAt(uri: string, pos: Position): SymbolHit | null {
    const a = this.analyze(uri);
    return a ? symbolHit(a, a.parsed.lines.offset(pos)) : null;
  }

  occurrences(key: SymbolKey, uri: string | undefined, only?: string[]): SymbolLocation[] {
    return occurrences(this.ctx, key, uri, only);
  }

  renameProblem(key: SymbolKey, name: string, uri: string): string | null {
    return renameProblem(this.ctx, key, name, uri) ?? null;
  }

  documentSymbols(uri: string): DocumentSymbol[] {
    const a = this.analyze(uri);
    return a ? documentSymbols(a) : [];
  }

  workspaceSymbols(query: string, only?: string[]): SymbolInformation[] {
    return workspaceSymbols(this.ctx, query, only);
  }

  codeActions(uri: string, range: Range, only?: string[]): CodeAction[] {
    const a = this.analyze(uri);
    return a ? codeActions(a, uri, range, only) : [];
  }

  codeLenses(uri: string): CodeLens[] {
    const a = this.analyze(uri);
    return a ? codeLenses(a, uri) : [];
  }

  dag(uri: string): DagResult {
    const a = this.analyze(uri);
    return a?.kind === 'pipeline' ? withDetails(a, dagOf(a, uri)) : { uri, nodes: [], edges: [] };
  }

  /**
   * The analysis' diagnostics plus, when `mlops.export.target` names an engine, what would
   * not survive an export to it (the same checks as `mlops export`), kept per analysis.
   */
  private withExportChecks(a: Analysis): CoreDiagnostic[] {
    const id = this.options.exportTarget;
    if (!id || a.kind !== 'pipeline') return a.diagnostics;
    const hit = this.exportChecks.get(a);
    if (hit && hit.target === id) return hit.diagnostics;
    const target = EXPORT_TARGETS[id];
    const root = this.options.root;
    const file = root ? relativeInside(root, a.path) : undefined;
    const src = exportSource(a, file ?? a.path, root);
    const diagnostics = [...a.diagnostics, ...(src ? exportDiagnostics(a, target, target.editorOptions, src) : [])].sort(compareDiagnostics);
    this.exportChecks.set(a, { target: id, diagnostics });
    return diagnostics;
  }

  private analyze(uri: string): Analysis | undefined {
    return this.analyzePath(uriToPath(uri));
  }

  private analyzePath(path: string): Analysis | undefined {
    if (!this.ws.has(path)) return undefined;
    this.progress(this.uris.get(path) ?? path);
    return this.ws.analyze(path);
  }

  private occurrencesOf(path: string): Occurrence[] {
    const text = this.ws.text(path);
    if (text === undefined) return [];
    const hit = this.occCache.get(path);
    if (hit && hit.text === text) return hit.list;
    const a = this.analyzePath(path);
    const list = a ? allOccurrences(a) : [];
    this.occCache.set(path, { text, list });
    return list;
  }
}
