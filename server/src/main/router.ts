import { documentKind } from '../../../core/src/index';
import type { EngineOptions } from '../engine/engine';
import type { EngineArgs, EngineMethod, EngineResult } from '../engine/lane-protocol';
import { uriToPath } from '../util/uri';
import { Lane, type LaneCall } from './lane';

/**
 * Pipelines larger than this go straight to the slow lane. Catalogs stay in the fast lane
 * unless they outlive its budget: every small pipeline there needs their views.
 */
export const SLOW_CHARS = 64 * 1024;
/** An analysis in the fast lane that uses more CPU time moves its document to the slow lane. */
export const FAST_BUDGET_MS = 300;
/** An analysis in the slow lane that uses more CPU time is given up until the document changes. */
export const SLOW_BUDGET_MS = 30_000;
/**
 * Wall-time limits for the same, for an analysis that waits without using the CPU (a file
 * read that does not return). Far above the budgets: a machine busy with other work gives
 * an analysis less of the CPU, which must not count against a document.
 */
const FAST_WALL_LIMIT_MS = 10_000;
const SLOW_WALL_LIMIT_MS = 120_000;

export interface RouterOptions {
  /** The lane worker script (dist/lane.js). */
  script: string;
  log(line: string): void;
  /** A document was given up: its analysis took too long. */
  gaveUp(uri: string): void;
}

/**
 * Each lane worker's heap. A young generation of 8 MB (V8 picks up to 32 MB for a thread
 * on a large machine) is scavenged more often, so less of an analysis's short-lived data
 * survives into the old generation, whose growth is what the process's peak memory is.
 */
const LANE_LIMITS = { maxYoungGenerationSizeMb: 8 };

/** What a call returns for a document that is not analysed (given up). */
const EMPTY: { [M in EngineMethod]: (args: EngineArgs<M>) => EngineResult<M> } = {
  validate: () => null,
  completion: () => [],
  hover: () => null,
  definition: () => [],
  symbolAt: () => null,
  occurrences: () => [],
  renameProblem: () => null,
  documentSymbols: () => [],
  workspaceSymbols: () => [],
  codeActions: () => [],
  codeLenses: () => [],
  dag: ([uri]) => ({ uri, nodes: [], edges: [] }),
};

/**
 * Sends each document to the lanes and each call to the lane that owns its document.
 * The fast lane holds every document except slow ones; the slow lane mirrors them all,
 * so a document moved there keeps the full cross-file picture. Each lane's worker starts
 * only once a document is routed to it (the slow lane: once some document is slow), so a
 * workspace of small files runs one worker and one of big pipelines runs one too.
 */
export class Router {
  private readonly texts = new Map<string, string>();
  private readonly slow = new Set<string>();
  /** Given-up documents and the text that was given up on. */
  private readonly givenUp = new Map<string, string>();
  readonly fast: Lane;
  readonly slowLane: Lane;

  constructor(private readonly options: RouterOptions) {
    this.fast = new Lane({
      name: 'fast',
      script: options.script,
      budgetMs: FAST_BUDGET_MS,
      wallLimitMs: FAST_WALL_LIMIT_MS,
      // A worker starts in 0.1–1 s (more on a busy machine): begin early so a restart finds it ready.
      spareAfterMs: FAST_BUDGET_MS / 6,
      resourceLimits: LANE_LIMITS,
      log: options.log,
      onStuck: (lane, blame, call) => this.fastStuck(lane, blame, call),
    });
    this.slowLane = new Lane({
      name: 'slow',
      script: options.script,
      budgetMs: SLOW_BUDGET_MS,
      wallLimitMs: SLOW_WALL_LIMIT_MS,
      resourceLimits: LANE_LIMITS,
      log: options.log,
      onStuck: (lane, blame, call) => this.slowStuck(lane, blame, call),
    });
  }

  configure(options: EngineOptions): void {
    this.fast.configure(options);
    this.slowLane.configure(options);
  }

  has(uri: string): boolean {
    return this.texts.has(uri);
  }

  slowUris(): string[] {
    return [...this.slow].filter((u) => !this.givenUp.has(u));
  }

  set(uri: string, text: string): void {
    if (this.texts.get(uri) === text) return;
    this.texts.set(uri, text);
    if (this.givenUp.has(uri)) {
      if (this.givenUp.get(uri) === text) return;
      this.givenUp.delete(uri);
    }
    if (text.length > SLOW_CHARS && !this.slow.has(uri) && documentKind(uriToPath(uri)) === 'pipeline') {
      this.slow.add(uri);
      this.fast.delete(uri);
    }
    if (this.slow.has(uri)) this.slowLane.start();
    else {
      this.fast.set(uri, text);
      this.fast.start();
    }
    this.slowLane.set(uri, text);
  }

  delete(uri: string): void {
    if (!this.texts.delete(uri)) return;
    this.givenUp.delete(uri);
    this.slow.delete(uri);
    this.fast.delete(uri);
    this.slowLane.delete(uri);
  }

  /** The document was closed in the editor: the lanes drop its analysis and keep its text. */
  release(uri: string): void {
    if (!this.texts.has(uri)) return;
    if (!this.slow.has(uri)) this.fast.release(uri);
    this.slowLane.release(uri);
  }

  filesChanged(): void {
    this.fast.filesChanged();
    this.slowLane.filesChanged();
  }

  /** A call about the documents of the fast lane (cross-document: symbols, occurrences); nothing to ask when it holds none. */
  callFast<M extends 'workspaceSymbols' | 'occurrences'>(method: M, args: EngineArgs<M>): Promise<EngineResult<M>> {
    if (this.texts.size === this.slow.size) return Promise.resolve(EMPTY[method](args));
    return this.fast.call(method, args);
  }

  /** A call about one document, in the lane that owns it. */
  call<M extends EngineMethod>(uri: string, method: M, args: EngineArgs<M>): Promise<EngineResult<M>> {
    if (this.givenUp.has(uri) || !this.texts.has(uri)) return Promise.resolve(EMPTY[method](args));
    return this.laneOf(uri).call(method, args, uri);
  }

  private laneOf(uri: string): Lane {
    return this.slow.has(uri) ? this.slowLane : this.fast;
  }

  isGivenUp(uri: string): boolean {
    return this.givenUp.has(uri);
  }

  dispose(): void {
    this.fast.dispose();
    this.slowLane.dispose();
  }

  private fastStuck(lane: Lane, blame: string | undefined, call: LaneCall | undefined): void {
    if (blame && this.texts.has(blame)) {
      this.slow.add(blame);
      this.slowLane.start();
    }
    for (const [uri, text] of this.texts) if (!this.slow.has(uri)) lane.set(uri, text);
    // Calls queued about the moved document follow it (this lane no longer has it), after
    // the interrupted call, which runs again where its document now lives; cross-document
    // calls retry here.
    const moved = lane.take((c) => c.uri !== undefined && this.slow.has(c.uri));
    if (call?.uri && this.slow.has(call.uri)) this.slowLane.enqueue(call);
    else if (call) lane.enqueue(call, true);
    for (const queued of moved) this.slowLane.enqueue(queued);
  }

  private slowStuck(lane: Lane, blame: string | undefined, call: LaneCall | undefined): void {
    if (blame && this.texts.has(blame)) {
      this.givenUp.set(blame, this.texts.get(blame)!);
      // Keep it out of both lanes until it changes, so no other call trips over it.
      this.fast.delete(blame);
      this.options.gaveUp(blame);
    }
    for (const [uri, text] of this.texts) if (!this.givenUp.has(uri)) lane.set(uri, text);
    const empty = (c: LaneCall) => c.resolve(EMPTY[c.method](c.args as never));
    for (const queued of lane.take((c) => c.uri !== undefined && this.givenUp.has(c.uri))) empty(queued);
    if (!call) return;
    if (call.uri && this.givenUp.has(call.uri)) empty(call);
    else lane.enqueue(call, true);
  }
}
