import dagre, { type EdgeLabel, type GraphLabel, type NodeLabel } from '@dagrejs/dagre';
import { SPACING, type LayoutInput, type LayoutResult, type PlacedNode } from '../../webviews/src/dag/layout/types';

/**
 * The benchmark's reference engine, not shipped in the view (docs/performance.md says why).
 * The network-simplex layered layout of @dagrejs/dagre: fewer crossings and straighter
 * long edges than the fast engine, at a cost that grows quickly past a few thousand nodes.
 */
export function dagreLayout(input: LayoutInput): LayoutResult {
  const g = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>({ multigraph: false, compound: false });
  g.setGraph({
    rankdir: input.direction,
    ranksep: SPACING.rank,
    nodesep: SPACING.node,
    edgesep: 12,
    marginx: SPACING.margin,
    marginy: SPACING.margin,
  });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of input.nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of input.edges) if (e.from !== e.to && g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const nodes = new Map<string, PlacedNode>();
  for (const n of input.nodes) {
    const p = g.node(n.id);
    nodes.set(n.id, { x: p.x ?? 0, y: p.y ?? 0, width: n.width, height: n.height });
  }
  const edges = g.edges().map((e) => ({ from: e.v, to: e.w, points: (g.edge(e).points ?? []).map((p: { x: number; y: number }) => ({ x: p.x, y: p.y })) }));
  const graph = g.graph();
  return { nodes, edges, width: graph.width ?? 0, height: graph.height ?? 0, engine: 'dagre' as LayoutResult['engine'] };
}
