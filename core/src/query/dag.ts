import type { DagNode, DagResult } from '../protocol/lsp';
import type { Analysis } from '../workspace';

/** The graph of an analysed pipeline for the DAG view: tasks in file order, each with its diagnostics. */
export function dagOf(a: Analysis, uri: string): DagResult {
  const p = a.pipeline;
  const g = a.graph;
  if (!p || !g) return { uri, nodes: [], edges: [] };
  const lines = a.parsed.lines;
  const nodes: DagNode[] = [];
  const byStart: { start: number; end: number; node: DagNode }[] = [];
  const text = a.parsed.text;
  for (const t of p.tasks.values()) {
    // Block values end at the next line; the node's range stops at the task's last character.
    let end = t.span[1];
    while (end > t.keySpan[1] && /\s/.test(text[end - 1]!)) end--;
    const node: DagNode = { id: t.id, range: lines.range([t.span[0], end]), selectionRange: lines.range(t.keySpan), diagnostics: [] };
    const description = t.description?.value;
    if (description !== undefined) node.description = description;
    if (t.run) node.run = t.run.value;
    nodes.push(node);
    byStart.push({ start: t.span[0], end: t.span[1], node });
  }
  byStart.sort((x, y) => x.start - y.start);
  for (const d of a.diagnostics) {
    const offset = lines.offset(d.range.start);
    // The last task starting at or before the diagnostic, if the diagnostic lies inside it.
    let lo = 0;
    let hi = byStart.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (byStart[mid]!.start <= offset) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const owner = best >= 0 && offset <= byStart[best]!.end ? byStart[best]!.node : undefined;
    owner?.diagnostics.push({ code: d.code, severity: d.severity, message: d.message, range: d.range });
  }
  return { uri, nodes, edges: g.dag.edges.map((e) => ({ from: e.from, to: e.to, kind: e.kind })) };
}
