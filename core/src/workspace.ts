import { compareDiagnostics, type Diagnostic } from './diagnostics';
import { FeatureIndex, loadCatalog, type FeatureCatalog } from './features/model';
import { checkCatalog } from './features/rules';
import { buildGraph, GraphCache, type PipelineGraph } from './pipeline/graph';
import { loadPipeline } from './pipeline/load';
import type { Pipeline } from './pipeline/model';
import { checkPipeline } from './pipeline/rules';
import { Problems, type FileHost, type Problem } from './rules/problem';
import { checkSchema } from './schema/validate';
import { dirname, join, normalize } from './util/paths';
import { ParseCache, parseYaml, type ParsedYaml } from './yaml/parse';

import { documentKind, type DocumentKind } from './project';

/** Everything known about one document after analysis. */
export interface Analysis {
  path: string;
  kind: DocumentKind;
  parsed: ParsedYaml;
  pipeline?: Pipeline;
  graph?: PipelineGraph;
  catalog?: FeatureCatalog;
  /**
   * Sorted, with line and column ranges. Placed when first read: a command that only needs to
   * know whether there are errors (`mlops export` of a valid pipeline) never places them.
   */
  diagnostics: Diagnostic[];
  /** How many of the diagnostics are errors. */
  errors: number;
}

interface Entry {
  path: string;
  kind: DocumentKind;
  text: string;
  cache: ParseCache;
  /** The pipeline's last graph, kept while edits leave its edges alone. */
  graphs: GraphCache;
  parsed?: ParsedYaml;
  catalog?: FeatureCatalog;
  analysis?: Analysis;
  /** The workspace generation the analysis was made in. */
  generation?: number;
}

export interface WorkspaceOptions {
  /** Absolute POSIX path of the workspace root; outputs may not leave it. */
  root?: string;
  /** File access for existence checks; without it, those checks are skipped. */
  host?: FileHost;
}

/**
 * The documents of one workspace and their analyses. Both the language server and the
 * CLI validate through this class, so their verdicts cannot differ.
 */
export class Workspace {
  private readonly docs = new Map<string, Entry>();
  private index?: FeatureIndex;
  private producedPaths?: Set<string>;
  /** Bumped whenever something that cross-file rules read changes. */
  private generation = 0;

  constructor(private readonly options: WorkspaceOptions = {}) {}

  get root(): string | undefined {
    return this.options.root;
  }

  /** Adds or replaces a document. Returns false when the text is unchanged. */
  set(path: string, text: string): boolean {
    const kind = documentKind(path);
    if (!kind) return false;
    const key = normalize(path);
    const old = this.docs.get(key);
    if (old && old.text === text) return false;
    const entry: Entry = { path: key, kind, text, cache: old?.cache ?? new ParseCache(), graphs: old?.graphs ?? new GraphCache() };
    this.docs.set(key, entry);
    this.crossFileChanged(kind, old);
    return true;
  }

  delete(path: string): boolean {
    const key = normalize(path);
    const old = this.docs.get(key);
    if (!old) return false;
    this.docs.delete(key);
    this.crossFileChanged(old.kind, old);
    return true;
  }

  /**
   * Drops what was derived from a document (its analysis, tree and parse cache) but keeps
   * its text: the language server calls this when an editor closes it, so a big pipeline
   * that is no longer open costs only its text until something reads it again.
   */
  release(path: string): void {
    const key = normalize(path);
    const old = this.docs.get(key);
    if (!old || (!old.parsed && !old.analysis)) return;
    this.docs.set(key, { path: key, kind: old.kind, text: old.text, cache: new ParseCache(), graphs: new GraphCache() });
    // The merged catalog holds the released catalog's tree; it is rebuilt on the next use.
    if (old.kind === 'features') this.index = undefined;
  }

  has(path: string): boolean {
    return this.docs.has(normalize(path));
  }

  text(path: string): string | undefined {
    return this.docs.get(normalize(path))?.text;
  }

  paths(kind?: DocumentKind): string[] {
    return [...this.docs.values()].filter((d) => !kind || d.kind === kind).map((d) => d.path);
  }

  /** Files on disk changed (created or deleted): existence checks must run again. */
  filesChanged(): void {
    this.generation++;
  }

  /** The merged feature catalog of every `*.features.yaml`. */
  features(): FeatureIndex {
    if (!this.index) {
      const catalogs: FeatureCatalog[] = [];
      for (const d of this.docs.values()) if (d.kind === 'features') catalogs.push(this.catalogOf(d));
      this.index = new FeatureIndex(catalogs);
    }
    return this.index;
  }

  /** Analyses a document (cached until it or something it reads changes). */
  analyze(path: string): Analysis | undefined {
    const d = this.docs.get(normalize(path));
    if (!d) return undefined;
    if (d.analysis && d.generation === this.generation) return d.analysis;
    const analysis = d.kind === 'pipeline' ? this.analyzePipeline(d) : this.analyzeCatalog(d);
    d.analysis = analysis;
    d.generation = this.generation;
    return analysis;
  }

  /** The pipelines whose diagnostics may change when the given features file changes. */
  dependentsOf(path: string): string[] {
    if (documentKind(path) !== 'features') return [];
    return this.paths('pipeline');
  }

  private crossFileChanged(kind: DocumentKind, old: Entry | undefined): void {
    // A catalog change affects every pipeline (unknown-feature) and catalog (duplicates);
    // a pipeline change affects catalogs (produced source paths). Analyses are cheap to redo
    // and per-piece parsing is kept, so a generation bump is enough.
    if (kind === 'features') this.index = undefined;
    this.producedPaths = undefined;
    this.generation++;
    void old;
  }

  private parsedOf(d: Entry): ParsedYaml {
    if (!d.parsed) d.parsed = parseYaml(d.text, d.cache);
    return d.parsed;
  }

  private catalogOf(d: Entry): FeatureCatalog {
    if (!d.catalog) d.catalog = loadCatalog(d.path, this.parsedOf(d).root);
    return d.catalog;
  }

  private produced(abs: string): boolean {
    if (!this.producedPaths) {
      const set = new Set<string>();
      for (const d of this.docs.values()) {
        if (d.kind !== 'pipeline') continue;
        const p = this.analyzePipelineModel(d).pipeline;
        const dir = dirname(d.path);
        for (const t of p.tasks.values()) for (const o of t.outputs) set.add(join(dir, o.path.value));
      }
      this.producedPaths = set;
    }
    for (let p = normalize(abs); ;) {
      if (this.producedPaths.has(p)) return true;
      const i = p.lastIndexOf('/');
      if (i <= 0) return false;
      p = p.slice(0, i);
    }
  }

  private pipelineModels = new WeakMap<ParsedYaml, { pipeline: Pipeline; graph: PipelineGraph }>();

  private analyzePipelineModel(d: Entry): { pipeline: Pipeline; graph: PipelineGraph } {
    const parsed = this.parsedOf(d);
    let m = this.pipelineModels.get(parsed);
    if (!m) {
      const pipeline = loadPipeline(parsed.root);
      m = { pipeline, graph: buildGraph(pipeline, parsed.text, d.graphs) };
      this.pipelineModels.set(parsed, m);
    }
    return m;
  }

  private analyzePipeline(d: Entry): Analysis {
    const parsed = this.parsedOf(d);
    const { pipeline, graph } = this.analyzePipelineModel(d);
    const out = new Problems();
    out.list.push(...parsed.problems.map((p): Problem => ({ ...p, severity: 'error' })));
    if (!fatal(parsed)) {
      checkSchema('pipeline', parsed.root, out);
      const dir = dirname(d.path);
      checkPipeline(
        {
          text: parsed.text,
          pipeline,
          graph,
          features: this.features(),
          dir,
          ...(this.options.root ? { root: this.options.root } : {}),
          ...(this.options.host ? { host: this.options.host } : {}),
        },
        out,
      );
    }
    return withDiagnostics({ path: d.path, kind: 'pipeline', parsed, pipeline, graph }, out.list);
  }

  private analyzeCatalog(d: Entry): Analysis {
    const parsed = this.parsedOf(d);
    const catalog = this.catalogOf(d);
    const out = new Problems();
    out.list.push(...parsed.problems.map((p): Problem => ({ ...p, severity: 'error' })));
    if (!fatal(parsed)) {
      checkSchema('features', parsed.root, out);
      checkCatalog(
        {
          catalog,
          index: this.features(),
          dir: dirname(d.path),
          ...(this.options.host ? { host: this.options.host } : {}),
          produced: (abs) => this.produced(abs),
        },
        out,
      );
    }
    return withDiagnostics({ path: d.path, kind: 'features', parsed, catalog }, out.list);
  }
}

/** The analysis with its problems counted and, on first read, placed as `diagnostics`. */
function withDiagnostics(a: Omit<Analysis, 'diagnostics' | 'errors'>, problems: Problem[]): Analysis {
  let errors = 0;
  for (const p of problems) if (p.severity === 'error') errors++;
  let placed: Diagnostic[] | undefined;
  return Object.defineProperty({ ...a, errors }, 'diagnostics', {
    enumerable: true,
    get: () => (placed ??= placeProblems(a.parsed, problems)),
  }) as Analysis;
}

/** A refused file (binary, too large) has no tree worth checking further. */
function fatal(parsed: ParsedYaml): boolean {
  return parsed.root === null && parsed.problems.length > 0;
}

/** Problems found on a parsed document, as sorted diagnostics with line and column ranges. */
export function placeProblems(parsed: ParsedYaml, problems: Problem[]): Diagnostic[] {
  return problems
    .map((p): Diagnostic => {
      const d: Diagnostic = { code: p.code, severity: p.severity, message: oneLine(p.message), range: parsed.lines.range(p.span) };
      if (p.fixes) d.fixes = p.fixes;
      return d;
    })
    .sort(compareDiagnostics);
}

/** Messages quote the file's text; a line break in a quoted value must not split the message (CLI text output is one line each). */
function oneLine(message: string): string {
  return message.replace(/[\r\n\u2028\u2029]/g, (c) => (c === '\r' ? '\\r' : c === '\n' ? '\\n' : `\\u${c.charCodeAt(0).toString(16)}`));
}
