import * as vscode from 'vscode';
import type { DagResult } from '../../../core/src/protocol/lsp';
import { withDetails } from '../../../core/src/query/dag-details';
import { Workspace } from '../../../core/src/workspace';

/**
 * Fills in the hover-card details (paths, resources, params used) when the language server
 * answered `mlops/dag` without them. One file, parsed here only in that case; a server that
 * sends `details` makes this a no-op.
 */
export function ensureDetails(doc: vscode.Uri, graph: DagResult): DagResult {
  if (graph.nodes.length === 0 || graph.nodes.every((n) => n.details)) return graph;
  const text = vscode.workspace.textDocuments.find((d) => d.uri.toString() === doc.toString())?.getText();
  if (text === undefined) return graph;
  const ws = new Workspace();
  ws.set(doc.path, text);
  const a = ws.analyze(doc.path);
  return a ? withDetails(a, graph) : graph;
}
