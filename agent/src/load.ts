import * as fs from 'node:fs';
import * as path from 'node:path';
// Straight from the modules, not core's index (see plan.ts).
import type { Diagnostic } from '../../core/src/diagnostics';
import type { Dag } from '../../core/src/graph/dag';
import { describeUnread, unreadFromError } from '../../core/src/node/read';
import { findProjectFilesSync } from '../../core/src/node/walk';
import type { PipelineGraph } from '../../core/src/pipeline/graph';
import type { Pipeline } from '../../core/src/pipeline/model';
import { documentKind, pipelineBaseName, type DocumentKind } from '../../core/src/project';
import type { PipelineProblem } from '../../core/src/protocol/agent';
import { Workspace } from '../../core/src/workspace';
import { fileHost, readDocument, toPosix, workspaceRoot } from './util/files';
import { err, ok, type Result } from '../../core/src/result';

/** A pipeline that passed validation, with everything later steps need to know about it. */
export interface LoadedPipeline {
  /** Absolute path of the pipeline file. */
  file: string;
  /** Its folder: paths in the file are relative to it. */
  dir: string;
  /** The workspace root (nearest git repository), mounted into containers. */
  root: string;
  text: string;
  pipeline: Pipeline;
  graph: PipelineGraph;
  name: string;
  /** Every task id in topological order. */
  order: string[];
}

/**
 * Why a pipeline cannot run, as a sentence: the file could not be read as a pipeline
 * (`unreadable`), or it was read and has errors (`invalid`, with its diagnostics).
 */
export type LoadError = { kind: 'unreadable'; message: string } | { kind: 'invalid'; message: string; problems: PipelineProblem[] };

const unreadable = (message: string) => err<LoadError>({ kind: 'unreadable', message });

/** A core diagnostic in the 1-based JSON shape of `mlops validate --format json`. */
export function jsonDiagnostic(file: string, d: Diagnostic): PipelineProblem {
  return {
    file,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    endColumn: d.range.end.character + 1,
    severity: d.severity,
    code: d.code,
    message: d.message,
  };
}

/** A workspace holding every feature catalog below `root`, so cross-file rules see them all. */
export function projectWorkspace(root: string): Workspace {
  const ws = new Workspace({ root: toPosix(root), host: fileHost([root]) });
  addProjectDocuments(ws, root, 'features');
  return ws;
}

/**
 * Adds every document of one kind below `root` (but those in `except`) to a workspace. One
 * that cannot be read (over the size limit, say) is left out: it only informs cross-file
 * rules here, and validating it by name reports why.
 */
export function addProjectDocuments(ws: Workspace, root: string, kind: DocumentKind, except?: ReadonlySet<string>): void {
  for (const f of findProjectFilesSync(root, kind)) {
    if (except?.has(f)) continue;
    const text = readDocument(f, [root]);
    if (text.ok) ws.set(toPosix(f), text.value);
  }
}

/**
 * Reads and validates a pipeline exactly as `mlops validate` does; a pipeline with any
 * error is refused, with the same diagnostics.
 */
export function loadPipelineFile(fileArg: string, cwd: string): Result<LoadedPipeline, LoadError> {
  let file = path.resolve(cwd, fileArg);
  if (documentKind(file) !== 'pipeline') {
    return unreadable(`${fileArg} is not a *.pipeline.yaml file; name a pipeline to run.`);
  }
  try {
    // One spelling of every path (symlinks resolved), so cache keys and container mounts agree.
    file = fs.realpathSync(file);
  } catch (e) {
    return unreadable(`${fileArg} ${describeUnread(unreadFromError(e))}; check the path.`);
  }
  const read = readDocument(file);
  if (!read.ok) return unreadable(`${fileArg} ${describeUnread(read.error)}; name a regular *.pipeline.yaml file.`);
  const text = read.value;
  const dir = path.dirname(file);
  const root = workspaceRoot(dir);
  const ws = projectWorkspace(root);
  ws.set(toPosix(file), text);
  const analysis = ws.analyze(toPosix(file))!;
  // A valid pipeline's warnings are not shown by a run: its diagnostics are placed (given
  // lines and columns) only when it is refused.
  if (analysis.errors > 0 || !analysis.pipeline || !analysis.graph) {
    const shown = path.relative(cwd, path.resolve(cwd, fileArg)) || fileArg;
    const problems = analysis.diagnostics.map((d) => jsonDiagnostic(shown, d));
    const n = analysis.errors;
    return err<LoadError>({ kind: 'invalid', message: `${shown} has ${n} error${n === 1 ? '' : 's'}; fix ${n === 1 ? 'it' : 'them'} before running (see mlops validate).`, problems });
  }
  const pipeline = analysis.pipeline;
  return ok({
    file,
    dir,
    root,
    text: analysis.parsed.text,
    pipeline,
    graph: analysis.graph,
    name: pipeline.name?.value ?? pipelineBaseName(file),
    order: fileTopoOrder(analysis.graph.dag),
  });
}

/**
 * Tasks in an order that respects every dependency and otherwise follows the file: each
 * task as early as its upstream tasks allow. (The graph is acyclic: validation refused cycles.)
 */
export function fileTopoOrder(dag: Dag): string[] {
  const order: string[] = [];
  const placed = new Set<string>();
  for (const root of dag.nodes) {
    // Iterative post-order: a task goes after all its (not yet placed) upstream tasks.
    const stack: { id: string; parents: string[] }[] = [{ id: root, parents: dag.parents(root) }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (placed.has(top.id)) {
        stack.pop();
        continue;
      }
      const next = top.parents.shift();
      if (next === undefined) {
        placed.add(top.id);
        order.push(top.id);
        stack.pop();
      } else if (!placed.has(next)) {
        stack.push({ id: next, parents: dag.parents(next) });
      }
    }
  }
  return order;
}
