import type { DagNode } from '../../../../core/src/browser';

/** Tasks whose id or description contains the query (case-insensitive), in graph order. */
export function searchNodes(nodes: readonly DagNode[], query: string): string[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  return nodes.filter((n) => n.id.toLowerCase().includes(q) || (n.description ?? '').toLowerCase().includes(q)).map((n) => n.id);
}
