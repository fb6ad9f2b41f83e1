/** Messages between the LSP thread and a lane (a worker thread running an Engine). */
import type { Engine, EngineOptions } from './engine';

/** The Engine methods a lane answers. */
export type EngineMethod = 'validate' | 'completion' | 'hover' | 'definition' | 'symbolAt' | 'occurrences' | 'renameProblem' | 'documentSymbols' | 'workspaceSymbols' | 'codeActions' | 'codeLenses' | 'dag';

export type EngineArgs<M extends EngineMethod> = Parameters<Engine[M]>;
export type EngineResult<M extends EngineMethod> = ReturnType<Engine[M]>;

/** Sent to a lane. Document updates and configuration need no answer; calls are answered in order. */
export type LaneRequest =
  | { type: 'configure'; options: EngineOptions }
  | { type: 'set'; uri: string; text: string }
  | { type: 'delete'; uri: string }
  | { type: 'release'; uri: string }
  | { type: 'filesChanged' }
  | { type: 'call'; id: number; method: EngineMethod; args: unknown[] };

/**
 * Sent by a lane: that it is warmed up (with its thread's id in the kernel where /proc
 * tells it, so the budget can count the lane's own CPU time), a call's outcome, or which
 * document it is analysing now.
 */
export type LaneReply = { type: 'ready'; tid?: number } | { type: 'result'; id: number; result?: unknown; error?: string } | { type: 'progress'; uri: string };
