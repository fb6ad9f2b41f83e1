import type { ELK, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import { SPACING, type LayoutInput, type LayoutResult, type PlacedNode, type Point } from './types';

/** ELK's layered algorithm with the view's spacing; the task order of the file is kept where it can be. */
export async function elkLayout(elk: ELK, input: LayoutInput): Promise<LayoutResult> {
  const known = new Set(input.nodes.map((n) => n.id));
  const edges: ElkExtendedEdge[] = [];
  input.edges.forEach((e, i) => {
    if (e.from !== e.to && known.has(e.from) && known.has(e.to)) edges.push({ id: `e${i}`, sources: [e.from], targets: [e.to] });
  });
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': input.direction === 'TB' ? 'DOWN' : 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': String(SPACING.rank),
      'elk.spacing.nodeNode': String(SPACING.node),
      'elk.spacing.edgeNode': '16',
      'elk.spacing.edgeEdge': '10',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.padding': `[top=${SPACING.margin},left=${SPACING.margin},bottom=${SPACING.margin},right=${SPACING.margin}]`,
    },
    children: input.nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
    edges,
  };
  const out = await elk.layout(graph);
  const nodes = new Map<string, PlacedNode>();
  for (const c of out.children ?? []) {
    const w = c.width ?? 0;
    const h = c.height ?? 0;
    nodes.set(c.id, { x: (c.x ?? 0) + w / 2, y: (c.y ?? 0) + h / 2, width: w, height: h });
  }
  const placed = (out.edges ?? []).map((e) => {
    const points: Point[] = [];
    for (const s of e.sections ?? []) points.push(s.startPoint, ...(s.bendPoints ?? []), s.endPoint);
    return { from: e.sources[0]!, to: e.targets[0]!, points: points.map((p) => ({ x: p.x, y: p.y })) };
  });
  return { nodes, edges: placed, width: out.width ?? 0, height: out.height ?? 0, engine: 'elk' };
}
