/**
 * Messages between the extension host and the DAG webview, declared once: both sides are
 * tagged unions on `type`. The host validates every message from the webview with
 * `parseWebviewMessage` before using it (a webview is a web page: treat it as untrusted).
 */
import type { RunEvent, RunRecord } from './agent';
import type { DagWire } from './dag-wire';
import { err, ok, type Result } from '../result';

/** Host → webview. */
export type HostMessage =
  /** A fresh graph of the pipeline: on open, after each (debounced) edit, after a save. */
  | {
      type: 'graph';
      /** Bumped on every graph the host sends; the webview ignores older ones. */
      version: number;
      /** The file name to show (not a path the webview could use). */
      file: string;
      /** The language server's `mlops/dag` answer in columns (`encodeDag`); the webview checks it with `decodeDag`. */
      graph: DagWire;
      /** False in an untrusted workspace: the run and Argo export actions are shown disabled. */
      canRun: boolean;
    }
  /** The editor cursor entered a task (`id`) or left every task (`null`). */
  | { type: 'select'; id: string | null }
  /** The latest run of this pipeline as a whole, or none; replaces any earlier run state. */
  | { type: 'run'; run: RunRecord | null }
  /** One event of an active run of this pipeline, forwarded from the agent's `mlops/run.event`. */
  | { type: 'runEvent'; event: RunEvent }
  /** The last lines of a failed task's log. */
  | { type: 'logTail'; runId: string; task: string; text: string }
  /** The graph cannot be shown (the language server is not running, the file is gone…). */
  | { type: 'error'; message: string };

/** Webview → host. Task ids are plain strings; the host checks them against the current graph. */
export type WebviewMessage =
  /** The webview has loaded and wants the current graph and run. */
  | { type: 'ready' }
  /** Show the task in the editor (a node was clicked or activated with Enter). */
  | { type: 'reveal'; id: string }
  /** Context menu: run only this task. */
  | { type: 'runTask'; id: string }
  /** Context menu: run this task and everything downstream of it. */
  | { type: 'runFrom'; id: string }
  /** Context menu: open the task's log of the latest run. */
  | { type: 'openLog'; id: string }
  /** Save the drawing; `svg` is a standalone SVG document. */
  | { type: 'exportSvg'; svg: string }
  /** Toolbar: export this pipeline to Argo Workflows (the host runs "MLOps: Export to Argo Workflows" on it). */
  | { type: 'exportArgo' };

/** Longest task id the host accepts from the webview (the format allows 128 characters). */
export const MAX_ID_LENGTH = 256;
/** Largest SVG export accepted: 5,000 nodes with their edges stay well below this. */
export const MAX_SVG_LENGTH = 32 * 1024 * 1024;

/**
 * Checks an untrusted value from the webview and returns a fresh message holding only the
 * known fields, so nothing unexpected travels further into the host.
 */
export function parseWebviewMessage(x: unknown): Result<WebviewMessage> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return fail('the message is not an object');
  const m = x as Record<string, unknown>;
  const type = m.type;
  switch (type) {
    case 'ready':
    case 'exportArgo':
      return ok({ type });
    case 'reveal':
    case 'runTask':
    case 'runFrom':
    case 'openLog': {
      const id = taskId(m.id);
      return typeof id === 'string' ? ok({ type, id }) : id;
    }
    case 'exportSvg': {
      const svg = m.svg;
      if (typeof svg !== 'string') return fail('exportSvg needs an `svg` string');
      if (svg.length > MAX_SVG_LENGTH) return fail(`the SVG is larger than ${MAX_SVG_LENGTH} characters`);
      if (!/^\s*(<\?xml[^>]*\?>\s*)?<svg[\s>]/.test(svg)) return fail('the export is not an SVG document');
      return ok({ type, svg });
    }
    default:
      return fail(typeof type === 'string' ? `unknown message type '${type.slice(0, 40)}'` : 'the message has no string `type`');
  }
}

function taskId(id: unknown): string | Result<never> {
  if (typeof id !== 'string' || id.length === 0) return fail('the message needs a task `id` string');
  if (id.length > MAX_ID_LENGTH) return fail(`the task id is longer than ${MAX_ID_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex -- it looks for control characters on purpose
  if (/[\u0000-\u001f\u007f]/.test(id)) return fail('the task id contains control characters');
  return id;
}

const fail = (error: string): Result<never> => err(error);
