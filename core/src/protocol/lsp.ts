/**
 * The language server's extensions to LSP, declared once. core/ does not depend on
 * vscode-languageserver, so each message is a method name plus phantom param/result types;
 * the client and the server wrap them with `new RequestType<P, R, void>(decl.method)`.
 */
import type { DiagnosticCode, Severity } from '../diagnostics';
import type { EdgeKind } from '../graph/dag';
import type { Range } from '../text/range';

/** A request method name carrying its param and result types. */
export interface RequestDecl<P, R> {
  readonly method: string;
  /** Phantom fields: never set, they only bind the types. */
  readonly _params?: P;
  readonly _result?: R;
}

/** A notification method name carrying its param type. */
export interface NotificationDecl<P> {
  readonly method: string;
  readonly _params?: P;
}

function request<P, R>(method: string): RequestDecl<P, R> {
  return { method };
}

function notification<P>(method: string): NotificationDecl<P> {
  return { method };
}

/** A diagnostic as the DAG view shows it on a node. */
export interface DagDiagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  range: Range;
}

/** One task of the graph; `range` covers the whole task entry, `selectionRange` its id. */
export interface DagNode {
  id: string;
  range: Range;
  selectionRange: Range;
  description?: string;
  run?: string;
  diagnostics: DagDiagnostic[];
  /** Hover-card facts (paths, resources, params used…); optional, see `withDetails` in core/src/query/dag-details.ts. */
  details?: DagNodeDetails;
}

/** What the DAG view shows about a task beyond its id and command; values as written in the file. */
export interface DagNodeDetails {
  inputs: { name?: string; path: string }[];
  outputs: { name?: string; path: string; kind?: string }[];
  /** Effective resources: the task's own, else the pipeline defaults'. */
  resources: { cpu?: string; memory?: string; gpu?: string };
  /** Params that the command, env, inputs or image refer to, in first-use order. */
  params: string[];
  features: string[];
  executor?: string;
  image?: string;
  /** The model name the task registers when it succeeds. */
  model?: string;
}

/** `from` runs before `to`; `declared` comes from `needs`, `inferred` from references and paths. */
export interface DagEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  /** Why an inferred edge exists (`reads data/x.csv`); optional. */
  reason?: string;
}

export interface DagParams {
  uri: string;
}

/** The graph of one pipeline file; empty nodes when the file is not a pipeline. */
export interface DagResult {
  uri: string;
  nodes: DagNode[];
  edges: DagEdge[];
}

/** Health of one pipeline or feature file, for the status bar. */
export interface StatusParams {
  uri: string;
  kind: 'pipeline' | 'features';
  /** The pipeline's `name` or the catalog's `project`, when written. */
  name?: string;
  /** Tasks of a pipeline, feature views of a catalog. */
  count: number;
  errors: number;
  warnings: number;
  infos: number;
}

/** Arguments of the task commands that code lenses carry (`mlops.runTask`, `mlops.runFromHere`, `mlops.showDag`). */
export interface TaskCommandArgs {
  uri: string;
  task: string;
}

/** Sent by the client (DAG view) to get the graph of a pipeline document. */
export const dagRequest = request<DagParams, DagResult>('mlops/dag');

/** Sent by the server after each validation of an open document, to update the status bar. */
export const statusNotification = notification<StatusParams>('mlops/status');

/** Where a memory report writes heap snapshots (none without a folder). */
export interface HeapReportParams {
  /** Absolute folder for one `<thread>.heapsnapshot` per thread. */
  dir?: string;
}

/** The V8 heap of one thread of the language server, in bytes. */
export interface ThreadHeap {
  /** `main`, or the lane's name (`fast`, `slow`), `-spare` for a reserve worker. */
  thread: string;
  used: number;
  total: number;
  external: number;
  /** The heap snapshot written for it, when asked for. */
  snapshot?: string;
}

/**
 * Sent by measuring tools (scripts/lsp-memory.mjs), never by the extension: the heap of the
 * main thread and of each running lane. The server answers it only when started with
 * MLOPS_LSP_MEMORY_REPORT=1.
 */
export const heapReportRequest = request<HeapReportParams, ThreadHeap[]>('mlops/heapReport');

/** Command ids the server's code lenses invoke; the client registers them. */
export const TASK_COMMANDS = {
  runTask: 'mlops.runTask',
  runFromHere: 'mlops.runFromHere',
  showDag: 'mlops.showDag',
} as const;
